"""`gitopsgen.diff` between commits of real git repositories (pinned author and committer).

One history is built per module; each scenario is one commit, tagged, and diffed against the tag
before it (`--base <before> --head <after>`), so the working tree never matters here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from git_support import commit, edit, git, init_repo
from gitopsgen.core.errors import GitError, SpecError, UsageError
from gitopsgen.diff import DiffOptions, DiffResult, EnvStatus, Status, diff
from gitopsgen.report.diff_json import JsonReporter
from gitopsgen.report.diff_markdown import LIMIT, MARKER, MarkdownReporter
from gitopsgen.report.diff_text import TextReporter
from kit import cli

CLEAR_SECRETS = ("hunter2-before", "hunter2-after", "s3cr3t-token-value")

SECRET_TEMPLATE = """\
apiVersion: v1
kind: Secret
metadata:
  name: demo-credentials
  namespace: {{ spec.namespace }}
type: Opaque
stringData:
  password: hunter2-before
  username: demo
"""

CONFIGMAP_WITH_TOKEN = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-settings
  namespace: {{ spec.namespace }}
data:
  API_TOKEN: s3cr3t-token-value
  LOG_LEVEL: info
"""

BULK_TEMPLATE = """\
{% for i in range(300) %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bulk-{{ i }}
  namespace: {{ spec.namespace }}
data:
{% for j in range(12) %}
  key-{{ j }}: value-{{ i }}-{{ j }}-padding-padding-padding
{% endfor %}
{% endfor %}
"""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with one tagged commit per scenario, in this order."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    init_repo(repo)  # v0
    env, tpl = repo / "environments", repo / "templates"

    edit(env / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")
    edit(env / "defaults.yaml", "example-api:1.8.3", "example-api:1.8.4")
    commit(repo, "spec values", tag="spec-change")

    prd = (env / "prd.yaml").read_text()
    head, _, rest = prd.partition("namespace: example-prd\n")
    (env / "prd.yaml").write_text(head + rest.rstrip("\n") + "\n\nnamespace: example-prd\n")  # top key moved last
    service = tpl / "manifests" / "example-api" / "service.yaml.j2"
    edit(service, "  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {{ names.app.name }}\n",
         "  selector:\n    app.kubernetes.io/name: {{ names.app.name }}\n  type: ClusterIP\n")
    commit(repo, "key order only", tag="reorder")

    (env / "stg.yaml").write_text((env / "dev.yaml").read_text().replace("example-dev", "example-stg"))
    commit(repo, "staging", tag="add-env")

    deployment = tpl / "manifests" / "example-api" / "deployment.yaml.j2"
    deployment.write_text(deployment.read_text() + "---\n" + service.read_text())
    service.unlink()
    commit(repo, "Service moves into deployment.yaml", tag="move")

    edit(tpl / "apps" / "_application.j2", "name: {{ names.argocd.apps[component] if",
         'name: {{ names.argocd.apps[component] | replace("reloader", "stakater-reloader") if')
    commit(repo, "rename the reloader Application", tag="rename")

    edit(env / "defaults.yaml", "releaseName: cnpg", "releaseName: cloudnative-pg")
    commit(repo, "rename the cnpg Helm release", tag="release")

    (tpl / "manifests" / "example-api" / "secret.yaml.j2").write_text(SECRET_TEMPLATE)
    (tpl / "manifests" / "example-api" / "settings.yaml.j2").write_text(CONFIGMAP_WITH_TOKEN)
    commit(repo, "a Secret", tag="secret-added")
    edit(tpl / "manifests" / "example-api" / "secret.yaml.j2", "hunter2-before", "hunter2-after")
    edit(tpl / "manifests" / "example-api" / "settings.yaml.j2", "s3cr3t-token-value", "s3cr3t-token-value-2")
    commit(repo, "rotate by hand", tag="secret-changed")

    (tpl / "manifests" / "example-api" / "bulk.yaml.j2").write_text(BULK_TEMPLATE)
    commit(repo, "a lot of ConfigMaps", tag="bulk")
    return repo


def run(repo: Path, base: str, head: str | None = None, *envs: str) -> DiffResult:
    return diff(DiffOptions(root=repo, envs=envs, all_envs=not envs, base=base, head=head))


def summary(result: DiffResult) -> dict[str, list[tuple[str, str, list[str]]]]:
    """{env: [(status, object, [changed field paths])]}"""
    return {env.env: [(e.status.value, e.title, [f.dotted for f in e.fields]) for e in env.entries]
            for env in result.envs}


def test_spec_value_change_reports_exact_objects_and_field_paths(history: Path) -> None:
    result = run(history, "v0", "spec-change")
    assert summary(result) == {
        "dev": [("changed", "Deployment example-dev/example-api", ["spec.template.spec.containers[0].image"])],
        "prd": [("changed", "Deployment example-prd/example-api",
                 ["spec.replicas", "spec.template.spec.containers[0].image"])],
    }
    replicas = result.envs[1].entries[0].fields[0]
    assert (replicas.old, replicas.new) == (2, 3)
    assert "-  replicas: 2" in result.envs[1].entries[0].diff
    assert "+  replicas: 3" in result.envs[1].entries[0].diff
    assert result.exit_code == 1
    assert result.base.label == "v0" and result.base.commit == git(history, "rev-parse", "v0").strip()


def test_key_order_only_is_no_difference(history: Path) -> None:
    result = run(history, "spec-change", "reorder")
    assert summary(result) == {"dev": [], "prd": []}
    assert result.exit_code == 0
    assert all(env.status is EnvStatus.UNCHANGED for env in result.envs)
    # The bytes did change (the template's key order is the file's); only the content counts.
    assert [env.formatting_only for env in result.envs] == [["manifests/example-api/service.yaml"]] * 2


def test_added_environment_then_removed(history: Path) -> None:
    added = run(history, "reorder", "add-env")
    assert [(e.env, e.status) for e in added.envs] == [
        ("dev", EnvStatus.UNCHANGED), ("prd", EnvStatus.UNCHANGED), ("stg", EnvStatus.ADDED)]
    stg = added.envs[2]
    assert stg.entries and all(e.status is Status.ADDED for e in stg.entries)
    assert "Deployment example-stg/example-api" in [e.title for e in stg.entries]

    removed = run(history, "add-env", "reorder", "stg")
    assert [(e.env, e.status) for e in removed.envs] == [("stg", EnvStatus.REMOVED)]
    assert all(e.status is Status.REMOVED for e in removed.envs[0].entries)
    assert removed.exit_code == 1


def test_object_moved_to_another_file(history: Path) -> None:
    result = run(history, "add-env", "move", "prd")
    [entry] = result.envs[0].entries
    assert entry.status is Status.MOVED and entry.title == "Service example-prd/example-api"
    assert entry.old is not None and entry.new is not None
    assert (entry.old.path, entry.new.path) == ("manifests/example-api/service.yaml",
                                                "manifests/example-api/deployment.yaml")
    assert entry.fields == [] and entry.diff == []
    assert result.envs[0].counts()[Status.MOVED] == 1


def test_renamed_application_is_called_out_as_delete_and_create(history: Path) -> None:
    result = run(history, "move", "rename", "prd")
    env = result.envs[0]
    assert summary(result)["prd"] == [
        ("removed", "Application argocd/prd-reloader", []),
        ("added", "Application argocd/prd-stakater-reloader", ["metadata.name"]),
    ]
    removed, added = env.entries
    assert removed.renamed == added.key and added.renamed == removed.key
    kinds = [(n.kind, n.subjects) for n in env.notes]
    # the Helm release is named in the spec (releaseName), so renaming the Application keeps it
    assert kinds == [("recreate", ("Application argocd/prd-reloader", "Application argocd/prd-stakater-reloader"))]
    assert "renamed to prd-stakater-reloader" in env.notes[0].message


def test_helm_release_rename_is_called_out(history: Path) -> None:
    result = run(history, "rename", "release", "dev")
    env = result.envs[0]
    assert summary(result)["dev"] == [
        ("changed", "Application argocd/dev-cloudnative-pg", ["spec.sources[0].helm.releaseName"])]
    [note] = env.notes
    assert note.kind == "recreate" and "from cnpg to cloudnative-pg" in note.message


def _all_formats(result: DiffResult) -> dict[str, str]:
    import io

    out = {}
    for reporter in (TextReporter(color=True), MarkdownReporter(), JsonReporter()):
        buffer = io.StringIO()
        reporter.write(result, buffer)
        out[reporter.name] = buffer.getvalue()
    return out


@pytest.mark.parametrize("base, head", [("release", "secret-added"), ("secret-added", "secret-changed")])
def test_secret_values_are_redacted_in_every_format(history: Path, base: str, head: str) -> None:
    result = run(history, base, head, "prd")
    for name, text in _all_formats(result).items():
        for clear in CLEAR_SECRETS:
            assert clear not in text, f"{clear} in the {name} report"
        assert "<redacted sha256:" in text, name


def test_changed_secret_shows_which_value_changed_by_fingerprint(history: Path) -> None:
    result = run(history, "secret-added", "secret-changed", "prd")
    by_title = {e.title: e for e in result.envs[0].entries}
    secret = by_title["Secret example-prd/demo-credentials"]
    [password] = secret.fields
    assert password.dotted == "stringData.password" and password.redacted
    assert password.old != password.new
    assert any(line.startswith(" ") and "username: \"<redacted sha256:" in line for line in secret.diff)
    [token] = by_title["ConfigMap example-prd/demo-settings"].fields
    assert token.dotted == "data.API_TOKEN" and token.redacted
    data = json.loads(_all_formats(result)["json"])
    fields = {f["path"]: f for o in data["environments"][0]["objects"] for f in o["fields"]}
    assert fields["stringData.password"]["redacted"] is True
    assert fields["stringData.password"]["old"].startswith("<redacted sha256:")


def test_markdown_stays_below_the_comment_limit_and_keeps_the_summary(history: Path) -> None:
    result = run(history, "secret-changed", "bulk")
    assert [e.counts()[Status.ADDED] for e in result.envs] == [300, 300, 300]
    full = sum(len(MarkdownReporter(limit=10**9).details(e)) for env in result.envs for e in env.entries)
    assert full > LIMIT  # big enough to need truncating
    text = MarkdownReporter().render(result)
    assert len(text) < 65_000
    assert text.startswith(MARKER + "\n")
    for env in ("dev", "prd", "stg"):
        assert f"| <code>{env}</code> | 300 | 0 | 0 | 0 |" in text
    assert "This comment is shortened to stay within GitHub's size limit" in text
    assert "gitopsgen diff dev prd stg --base secret-changed --head bulk" in text
    assert "<details>" in text  # as many full sections as fit come first


def test_unknown_ref_is_a_git_error_naming_it(history: Path) -> None:
    with pytest.raises(GitError) as caught:
        run(history, "no-such-branch")
    assert "unknown git ref 'no-such-branch'" in caught.value.problems[0].message


def test_unknown_environment_on_both_sides(history: Path) -> None:
    with pytest.raises(UsageError, match="unknown environment 'qa': neither v0 nor bulk has it"):
        run(history, "v0", "bulk", "qa")


def test_head_without_base_is_a_usage_error(history: Path) -> None:
    with pytest.raises(UsageError, match="--head needs --base"):
        diff(DiffOptions(root=history, all_envs=True, head="v0"))


def test_not_a_git_repository(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))
    with pytest.raises(GitError) as caught:
        diff(DiffOptions(root=project, all_envs=True, base="main"))
    assert caught.value.problems[0].message == "is not inside a git repository"


def test_invalid_spec_at_the_base_is_located_at_the_ref(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    edit(repo / "environments" / "prd.yaml", "  quorum: 2\n", "  quorum: 4\n")
    commit(repo, "broken", tag="broken")
    edit(repo / "environments" / "prd.yaml", "  quorum: 4\n", "  quorum: 2\n")
    with pytest.raises(SpecError) as caught:
        run(repo, "broken", None, "prd")
    assert caught.value.problems[0].file == "broken:environments/prd.yaml"


def test_root_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    root = init_repo(repo, subdir="platform/gitops")
    edit(root / "environments" / "defaults.yaml", "example-api:1.8.3", "example-api:1.8.4")
    result = run(root, "v0", None, "dev")
    assert summary(result) == {"dev": [("changed", "Deployment example-dev/example-api",
                                        ["spec.template.spec.containers[0].image"])]}


def test_a_base_whose_specs_this_version_cannot_load_falls_back_to_its_committed_tree(tmp_path: Path) -> None:
    """A spec model change (a new required key, a removed one) must not make old refs impossible to
    diff: the rendered/ committed at the ref is what that ref's own version rendered."""
    repo = tmp_path / "repo"
    init_repo(repo)
    assert cli("render", "--all", "--root", repo).returncode == 0
    commit(repo, "rendered")
    defaults = repo / "environments" / "defaults.yaml"
    defaults.write_text(defaults.read_text() + "legacyKey: true\n")  # what an older version accepted
    commit(repo, "old spec shape", tag="old")
    defaults.write_text(defaults.read_text().replace("legacyKey: true\n", ""))
    edit(repo / "environments" / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")

    result = run(repo, "old", None, "prd")
    [notice] = result.notices
    assert "old:environments/defaults.yaml" in notice and "legacyKey: unknown key" not in notice
    assert "unknown key" in notice and "rendered/ committed at old" in notice
    assert summary(result)["prd"] == [("changed", "Deployment example-prd/example-api", ["spec.replicas"])]

    broken_tree = cli("diff", "prd", "--base", "old", "--format", "json", "--root", repo)
    assert broken_tree.returncode == 1 and json.loads(broken_tree.stdout)["notices"] == [notice]
