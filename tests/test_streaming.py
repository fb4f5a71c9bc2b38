"""Environments streamed through render -> validate -> staged write (issue 12): a run keeps one
environment's tree at a time, plus the small part the cross-environment rules read, and still
writes all environments or none; `--jobs N` gives the same bytes, messages and exit codes as one
process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.unit import cross_view
from gitopsgen.tree import write
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_rules, run_across
from kit import cli, renamed, replace_in, replace_sources_revision


def _snapshot(root: Path) -> dict[str, bytes]:
    base = root / "rendered"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()} \
        if base.exists() else {}


def _add_staging(root: Path, name: str = "stg", *, collide: bool = True) -> None:
    """environments/<name>.yaml copied from prd, with its own cluster, hostname, tunnel, DNS owner,
    backup path and Doppler config; with `collide`, it follows main like dev (invalid next to dev:
    a finding of the rendered trees, cross-promotion), else its own branch."""
    spec = root / "environments" / f"{name}.yaml"
    spec.write_text((root / "environments" / "prd.yaml").read_text())
    replace_in(spec, "hostname: api.example.com", f"hostname: api-{name}.example.com")
    replace_in(spec, "name: prd ", f"name: {name} ")
    replace_in(spec, "tunnelId: 6ff42ae2-765d-4adf-8112-31c55c1551ef", "tunnelId: 00000000-0000-4000-8000-000000000001")
    replace_in(spec, "txtOwnerId: example-prd", f"txtOwnerId: example-{name}")
    replace_in(spec, "config: prd", f"config: {name}")
    replace_in(spec, "s3://example-org-db-backups/prd", f"s3://example-org-db-backups/{name}")
    replace_in(spec, "targetRevision: production", "targetRevision: main" if collide else f"targetRevision: {name}")


def _facts(root: Path, **options: object) -> tuple[int, list[tuple[str, list[str], list[tuple[str, str]], bool]]]:
    result = render(RenderOptions(root=root, all_envs=True, **options))  # type: ignore[arg-type]
    return result.exit_code, [(e.env, [p.format() for p in e.problems], [(c.path, c.change.value) for c in e.changes],
                               e.written) for e in result.envs]


@pytest.mark.parametrize("collide", [False, True], ids=["valid", "invalid"])
def test_a_streamed_run_reports_and_writes_what_a_run_keeping_every_tree_does(project: Path, tmp_path: Path,
                                                                              collide: bool) -> None:
    _add_staging(project, collide=collide)
    other = tmp_path / "other"
    shutil.copytree(project, other)
    kept = _facts(project, keep_trees=True)
    streamed = _facts(other, keep_trees=False)
    assert streamed == kept
    assert kept[0] == (1 if collide else 0)
    assert _snapshot(other) == _snapshot(project)


def test_streamed_results_hold_only_what_the_cross_rules_read(project: Path) -> None:
    result = render(RenderOptions(root=project, all_envs=True, keep_trees=False))
    assert result.exit_code == 0
    for env in result.envs:
        assert 0 < len(env.tree.files) < env.files
        assert all(f.raw is None and f.trace is None for f in env.tree.files.values())
        assert "manifests/example-api/deployment.yaml" not in env.tree.files


def test_the_cross_view_gives_every_cross_rule_the_findings_the_whole_tree_gives(rendered: dict[str, RenderedTree]
                                                                                ) -> None:
    # a copy of prd renamed stg collides with prd on everything the cross rules compare
    # (following dev's main, too)
    trees = [rendered["dev"], rendered["prd"], renamed(replace_sources_revision(rendered["prd"], "main"), "stg"),
             renamed(rendered["dev"], "qa")]
    whole = run_across(trees)
    views = run_across([cross_view(t) for t in trees])
    assert {env: [p.format() for p in found] for env, found in views.items()} == \
           {env: [p.format() for p in found] for env, found in whole.items()}
    fired = {p.rule for found in whole.values() for p in found}
    assert fired == {m.ID for m in cross_rules()}  # every rule is exercised: a rule reading beyond the view fails here


def test_one_invalid_environment_late_in_the_run_leaves_every_tree_as_it_was(project: Path) -> None:
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    before = _snapshot(project)
    replace_in(project / "environments" / "dev.yaml", "replicas: 1", "replicas: 3")  # a change to write
    replace_in(project / "environments" / "prd.yaml", "replicas: 2", "replicas: 3")
    _add_staging(project, "zz")  # last in order, collides with prd: invalid
    result = render(RenderOptions(root=project, all_envs=True, keep_trees=False))
    assert result.exit_code == 1 and not any(e.written for e in result.envs)
    assert _snapshot(project) == before  # dev's and prd's staged trees were never swapped in
    assert sorted(p.name for p in (project / "rendered").iterdir()) == ["dev", "prd"]  # no staging left


def test_bad_input_in_one_environment_writes_nothing_and_leaves_no_folder(project: Path) -> None:
    _add_staging(project, "qa", collide=False)
    replace_in(project / "environments" / "qa.yaml", "quorum: 2", "quorum: 9")
    result = cli("render", "--all", "--root", project)
    assert result.returncode == 2 and "environments/qa.yaml" in result.stderr
    assert not (project / "rendered").exists()


def test_an_exception_while_swapping_leaves_each_tree_old_or_new_and_no_staging(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _add_staging(project, "qa", collide=False)
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    old = _snapshot(project)
    for env, before, after in (("dev", "replicas: 1", "replicas: 3"), ("prd", "replicas: 2", "replicas: 3"),
                               ("qa", "replicas: 2", "replicas: 4")):
        replace_in(project / "environments" / f"{env}.yaml", before, after)
    swaps: list[str] = []

    def fail_second_swap(name: str) -> None:
        if name == "staged":
            swaps.append(name)
            if len(swaps) == 2:
                raise RuntimeError("injected before the second swap")

    monkeypatch.setattr(write, "_checkpoint", fail_second_swap)
    with pytest.raises(RuntimeError):
        render(RenderOptions(root=project, all_envs=True, keep_trees=False))
    now = _snapshot(project)
    assert {k: v for k, v in now.items() if k.startswith("prd/")} == \
           {k: v for k, v in old.items() if k.startswith("prd/")}  # not swapped: the old tree
    assert {k: v for k, v in now.items() if k.startswith("qa/")} == \
           {k: v for k, v in old.items() if k.startswith("qa/")}  # staged, never swapped in
    assert now != old  # dev was swapped in whole
    assert sorted(p.name for p in (project / "rendered").iterdir()) == ["dev", "prd", "qa"]  # no staging left


# --- --jobs ------------------------------------------------------------------------------------


def _cli_run(root: Path, *args: str) -> tuple[int, str, str, dict[str, bytes]]:
    result = cli(*args, "--root", root)
    return result.returncode, result.stdout, result.stderr, _snapshot(root)


CASES = {
    "clean": lambda root: _add_staging(root, "qa", collide=False),
    "invalid": lambda root: _add_staging(root, "stg"),
    "bad-input": lambda root: (replace_in(root / "environments" / "dev.yaml", "replicas: 1", "replicas: 0"),
                               replace_in(root / "environments" / "prd.yaml", "replicas: 2", "replicas: 0")),
    "template-error": lambda root: (root / "templates" / "broken.yaml.j2").write_text("a: {{ nope }}\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_jobs_give_the_same_bytes_messages_and_exit_code_as_one_process(project: Path, tmp_path: Path,
                                                                        case: str) -> None:
    CASES[case](project)
    copies = {}
    for jobs in ("1", "3"):
        root = tmp_path / f"jobs-{jobs}"
        shutil.copytree(project, root)
        validated = _cli_run(root, "validate", "--all", "--format", "json", "-v", "--jobs", jobs)
        written = _cli_run(root, "render", "--all", "--jobs", jobs)
        check = _cli_run(root, "render", "--all", "--check", "--jobs", jobs)
        copies[jobs] = (validated, written, check)
    assert copies["3"] == copies["1"]


def test_jobs_report_drift_like_one_process(project: Path, tmp_path: Path) -> None:
    _add_staging(project, "qa", collide=False)
    assert cli("render", "--all", "--root", project).returncode == 0
    deployment = project / "rendered" / "prd" / "manifests" / "example-api" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("replicas: 2", "replicas: 5"))
    (project / "rendered" / "qa" / "hand-made.yaml").write_text("a: 1\n")
    one = cli("render", "--all", "--check", "--jobs", "1", "--root", project)
    many = cli("render", "--all", "--check", "--jobs", "2", "--root", project)
    assert (many.returncode, many.stdout, many.stderr) == (one.returncode, one.stdout, one.stderr)
    assert one.returncode == 1 and "differs from the render" in one.stdout


def test_jobs_must_be_a_positive_number_or_auto(project: Path) -> None:
    for bad in ("0", "-1", "many"):
        result = cli("render", "--all", "--jobs", bad, "--root", project)
        assert result.returncode == 2 and "--jobs must be a positive number or auto" in result.stderr
    assert cli("render", "--all", "--jobs", "auto", "--root", project).returncode == 0


def test_jobs_in_process_write_what_one_process_writes(project: Path, tmp_path: Path) -> None:
    _add_staging(project, "qa", collide=False)
    other = tmp_path / "other"
    shutil.copytree(project, other)
    assert _facts(other, jobs=2, keep_trees=False) == _facts(project, jobs=1, keep_trees=False)
    assert _snapshot(other) == _snapshot(project)


def test_jobs_help_states_the_automatic_threshold() -> None:
    from gitopsgen.run.parallel import AUTO_MIN_ENVIRONMENTS, resolve_jobs

    result = cli("render", "--help")
    assert f"one process below {AUTO_MIN_ENVIRONMENTS} environments" in " ".join(result.stdout.split())
    assert resolve_jobs(None, AUTO_MIN_ENVIRONMENTS - 1) == 1
    assert resolve_jobs(3, 2) == 2 and resolve_jobs(1, 100) == 1
