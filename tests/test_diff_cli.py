"""`gitopsgen diff` and `render --output/--check` through the installed console script."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from git_support import commit, edit, git, init_repo
from gitopsgen.report.diff_markdown import MARKER
from gitopsgen.report.stream import SOURCE
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.tree import yamlio
from test_cli import cli


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v0 (the real inputs) and `bumped` (prd replicas 2 -> 3); the working tree stays at `bumped`."""
    root = tmp_path_factory.mktemp("cli") / "repo"
    init_repo(root)
    edit(root / "environments" / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")
    commit(root, "three replicas", tag="bumped")
    return root


@pytest.fixture
def rendered_project(project: Path) -> Path:
    """A scratch project with rendered/ written (in-process: the CLI is what the tests exercise)."""
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    return project


def test_exit_0_when_the_sides_are_the_same(repo: Path) -> None:
    result = cli("diff", "--all", "--base", "bumped", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["dev: no differences", "prd: no differences"]


def test_exit_1_with_differences_against_the_working_tree(repo: Path) -> None:
    result = cli("diff", "prd", "--base", "v0", "--root", str(repo))
    assert result.returncode == 1, result.stderr
    assert "  ~ Deployment example-prd/example-api  (manifests/example-api/deployment.yaml)" in result.stdout
    assert "      spec.replicas: 2 -> 3" in result.stdout
    assert "\033[" not in result.stdout  # not a terminal: no colour


def test_color_always(repo: Path) -> None:
    assert "\033[33m\033[1m  ~ Deployment" in cli("diff", "prd", "--base", "v0", "--color", "always", cwd=repo).stdout


def test_exit_2_naming_an_unknown_ref(repo: Path) -> None:
    result = cli("diff", "--all", "--base", "origin/nope", cwd=repo)
    assert result.returncode == 2
    assert "unknown git ref 'origin/nope'" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (("diff", "--all", "--head", "v0"), "--head needs --base"),
    (("diff",), "name at least one environment, or pass --all"),
    (("diff", "dev", "--all"), "give environment names or --all, not both"),
    (("diff", "--all", "--format", "html"), "--format must be one of text, markdown, json, got 'html'"),
    (("diff", "--all", "--color", "sometimes"), "--color must be one of auto, always, never"),
])
def test_usage_errors_exit_2(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = cli(*args, cwd=repo)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_exit_2_outside_a_git_repository(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))
    result = cli("diff", "--all", "--base", "main", "--root", str(project))
    assert result.returncode == 2 and "is not inside a git repository" in result.stderr


def test_markdown_and_json_formats(repo: Path) -> None:
    markdown = cli("diff", "--all", "--base", "v0", "--format", "markdown", cwd=repo)
    assert markdown.returncode == 1
    assert markdown.stdout.startswith(MARKER + "\n")
    assert "| <code>prd</code> | 0 | 1 | 0 | 0 |" in markdown.stdout
    assert "| <code>dev</code> (no differences) | 0 | 0 | 0 | 0 |" in markdown.stdout

    data = json.loads(cli("diff", "--all", "--base", "v0", "--format", "json", cwd=repo).stdout)
    assert data["version"] == 1 and data["differences"] is True
    assert data["base"] == {"label": "v0", "commit": git(repo, "rev-parse", "v0").strip()}
    assert data["head"] == {"label": "working tree", "commit": None}
    dev, prd = data["environments"]
    assert dev["status"] == "unchanged" and dev["objects"] == []
    [obj] = prd["objects"]
    assert obj["key"] == {"group": "apps", "kind": "Deployment", "namespace": "example-prd", "name": "example-api"}
    assert obj["fields"] == [{"path": "spec.replicas", "segments": ["spec", "replicas"], "change": "changed",
                              "old": 2, "new": 3, "redacted": False}]
    assert prd["counts"] == {"added": 0, "changed": 1, "removed": 0, "moved": 0}


def _state(repo: Path) -> dict[str, object]:
    return {
        "status": git(repo, "status", "--porcelain=v2", "--branch", "--untracked-files=all"),
        "stash": git(repo, "stash", "list"),
        "index": (repo / ".git" / "index").read_bytes(),
        "head": git(repo, "rev-parse", "HEAD"),
        "files": sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if ".git" not in p.parts),
    }


def test_base_diff_leaves_index_worktree_and_stash_alone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    prd = repo / "environments" / "prd.yaml"
    edit(prd, "  replicas: 2\n", "  replicas: 4\n")
    git(repo, "stash")
    edit(prd, "  replicas: 2\n", "  replicas: 3\n")
    git(repo, "add", str(prd))  # staged
    edit(repo / "environments" / "dev.yaml", "  replicas: 1\n", "  replicas: 5\n")  # unstaged
    (repo / "scratch.txt").write_text("untracked\n")
    before = _state(repo)

    result = cli("diff", "--all", "--base", "v0", "--format", "json", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert _state(repo) == before
    replicas = {env["name"]: [f["new"] for o in env["objects"] for f in o["fields"] if f["path"] == "spec.replicas"]
                for env in json.loads(result.stdout)["environments"]}
    assert replicas == {"dev": [5], "prd": [3]}  # the working tree, staged or not


def test_diff_without_base_shows_hand_edits_in_rendered(rendered_project: Path) -> None:
    service = rendered_project / "rendered" / "dev" / "manifests" / "example-api" / "service.yaml"
    service.write_text(service.read_text().replace("type: ClusterIP", "type: NodePort"))
    assert cli("diff", "prd", "--root", str(rendered_project)).returncode == 0
    result = cli("diff", "--all", "--root", str(rendered_project))
    assert result.returncode == 1
    assert "      spec.type: NodePort -> ClusterIP" in result.stdout  # disk -> what render would write
    assert "NodePort" in service.read_text()  # diff writes nothing


def test_render_output_dir_writes_elsewhere_and_prunes_nothing(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "keep-me").mkdir(parents=True)
    result = cli("render", "--all", "--output", str(out), "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert f"{out}/prd: " in result.stdout
    assert (out / "prd" / "apps" / "data.yaml").is_file() and (out / "keep-me").is_dir()
    assert not (project / "rendered").exists()
    assert cli("render", "--all", "--check", "--output", str(out), "--root", str(project)).returncode == 0


def _split_stream(text: str) -> dict[str, list[object]]:
    """{source path: [documents]} from a `render --output -` stream."""
    docs: dict[str, list[object]] = {}
    for chunk in text.split("---\n")[1:]:
        first, _, body = chunk.partition("\n")
        assert first.startswith(SOURCE), first
        docs.setdefault(first[len(SOURCE):], []).extend(yamlio.load_all(body))
    return docs


def test_render_output_dash_streams_the_tree_on_disk(rendered_project: Path) -> None:
    result = cli("render", "prd", "--output", "-", "--root", str(rendered_project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"---\n{SOURCE}rendered/prd/apps/cert-manager.yaml\napiVersion: ")
    base = rendered_project / "rendered" / "prd"
    on_disk = {f"rendered/prd/{p.relative_to(base).as_posix()}": yamlio.load_all(p.read_text())
               for p in sorted(base.rglob("*.yaml"))}
    assert _split_stream(result.stdout) == on_disk
    assert yamlio.load_all(result.stdout) == [d for docs in on_disk.values() for d in docs]

    objects = cli("render", "prd", "--output", "-", "--objects-only", "--root", str(rendered_project))
    streamed = _split_stream(objects.stdout)
    assert "rendered/prd/values/reloader.yaml" not in streamed
    assert all(isinstance(d, dict) and "kind" in d for docs in streamed.values() for d in docs)


def test_render_output_dash_refuses_check(project: Path) -> None:
    result = cli("render", "prd", "--output", "-", "--check", "--root", str(project))
    assert result.returncode == 2 and "cannot be combined with --check" in result.stderr


def test_render_check_shows_the_changed_line(rendered_project: Path) -> None:
    deployment = rendered_project / "rendered" / "prd" / "manifests" / "example-api" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("  replicas: 2\n", "  replicas: 7\n"))
    result = cli("render", "--all", "--check", "--root", str(rendered_project))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    at = lines.index("rendered/prd/manifests/example-api/deployment.yaml: differs from the render")
    preview = lines[at + 1:at + 9]
    assert re.fullmatch(r"    @@ -\d+,7 \+\d+,7 @@", preview[0])
    assert "    -  replicas: 7" in preview and "    +  replicas: 2" in preview


def test_render_check_preview_is_bounded(rendered_project: Path) -> None:
    values = rendered_project / "rendered" / "prd" / "values" / "nginx-gateway-fabric.yaml"
    values.write_text("".join(f"extra{i}: {i}\n" for i in range(40)) + values.read_text())
    result = cli("render", "prd", "--check", "--root", str(rendered_project))
    lines = result.stdout.splitlines()
    at = lines.index("rendered/prd/values/nginx-gateway-fabric.yaml: differs from the render")
    preview = [line for line in lines[at + 1:] if line.startswith("    ")]
    assert len(preview) == 13
    assert re.fullmatch(r"    \.\.\. \d+ more lines: `gitopsgen diff prd` shows every change", preview[-1])


def test_diff_without_base_shows_environments_never_rendered_and_folders_no_spec_produces(
        rendered_project: Path) -> None:
    from gitopsgen.diff import DiffOptions, EnvStatus, diff

    (rendered_project / "environments" / "dev.yaml").rename(rendered_project / "environments" / "qa.yaml")
    result = diff(DiffOptions(root=rendered_project, all_envs=True))
    assert [(e.env, e.status) for e in result.envs] == [
        ("dev", EnvStatus.REMOVED), ("prd", EnvStatus.UNCHANGED), ("qa", EnvStatus.ADDED)]
    assert result.exit_code == 1
