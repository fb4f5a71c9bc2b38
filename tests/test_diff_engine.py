"""The diff engine on small in-memory trees: identity, fields, redaction, notes, reporters."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from gitopsgen.diff import EnvStatus, Key, Redacted, Status, compare_trees
from gitopsgen.diff.fields import field_changes
from gitopsgen.diff.model import MISSING, DiffResult, SideLabel
from gitopsgen.diff.redact import redact
from gitopsgen.diff.sides import disk_tree
from gitopsgen.report.diff_json import JsonReporter
from gitopsgen.report.diff_markdown import MarkdownReporter
from gitopsgen.report.diff_text import TextReporter, use_color
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document


def tree(files: dict[str, list[Any]], env: str = "dev") -> RenderedTree:
    out = RenderedTree(env)
    for path, docs in files.items():
        out.add(RenderedFile(path, "", tuple(make_document(path, i, d) for i, d in enumerate(docs)), yamlio.dump(docs)))
    return out


def obj(kind: str, name: str, api_version: str = "v1", namespace: str | None = "app", **rest: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **rest}


def deployment(env: list[dict[str, Any]], image: str = "app:1") -> dict[str, Any]:
    return obj("Deployment", "api", "apps/v1", spec={"replicas": 1, "template": {"spec": {
        "containers": [{"name": "api", "image": image, "env": env}]}}})


def paths(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(f.dotted, f.change) for f in field_changes(old, new)]


# --- identity ---------------------------------------------------------------------------------

def test_api_version_is_not_identity_but_the_group_is() -> None:
    hpa = obj("HorizontalPodAutoscaler", "api", "autoscaling/v2beta2", spec={"maxReplicas": 3})
    ingress = obj("Ingress", "api", "extensions/v1beta1", spec={})
    old = tree({"a.yaml": [hpa, ingress]})
    new = tree({"a.yaml": [{**hpa, "apiVersion": "autoscaling/v2"}, {**ingress, "apiVersion": "networking.k8s.io/v1"}]})
    result = compare_trees("dev", old, new)
    assert [(e.status, e.title, [f.dotted for f in e.fields]) for e in result.entries] == [
        (Status.CHANGED, "HorizontalPodAutoscaler app/api", ["apiVersion"]),
        (Status.REMOVED, "Ingress app/api", []),
        (Status.ADDED, "Ingress app/api", []),
    ]
    assert {e.key.group for e in result.entries} == {"autoscaling", "networking.k8s.io", "extensions"}


def test_data_documents_match_by_file() -> None:
    old = tree({"values/a.yaml": [{"replicaCount": 1}], "values/b.yaml": [{"x": 1}]})
    new = tree({"values/a.yaml": [{"replicaCount": 2}], "values/c.yaml": [{"x": 1}]})
    result = compare_trees("dev", old, new)
    assert [(e.status, e.title) for e in result.entries] == [
        (Status.CHANGED, "values/a.yaml"), (Status.REMOVED, "values/b.yaml"), (Status.ADDED, "values/c.yaml")]
    assert result.entries[0].key == Key(file="values/a.yaml")


def test_duplicate_objects_in_one_tree_are_kept_apart() -> None:
    cm = obj("ConfigMap", "x", data={"a": "1"})
    result = compare_trees("dev", tree({"a.yaml": [cm]}), tree({"a.yaml": [cm, cm]}))
    assert [(e.status, e.key.occurrence) for e in result.entries] == [(Status.ADDED, 1)]


def test_identical_trees_and_environment_status() -> None:
    same = tree({"a.yaml": [obj("ConfigMap", "x")]})
    assert compare_trees("dev", same, same).status is EnvStatus.UNCHANGED
    assert compare_trees("dev", None, same).status is EnvStatus.ADDED
    assert compare_trees("dev", same, None).status is EnvStatus.REMOVED


# --- fields -----------------------------------------------------------------------------------

def test_key_order_never_counts_and_the_diff_shows_values_only() -> None:
    old = obj("ConfigMap", "x", data={"b": "2", "a": "1"})
    new = {"kind": "ConfigMap", "data": {"a": "1", "b": "3"}, "metadata": {"namespace": "app", "name": "x"},
           "apiVersion": "v1"}
    [entry] = compare_trees("dev", tree({"a.yaml": [old]}), tree({"a.yaml": [new]})).entries
    assert [f.dotted for f in entry.fields] == ["data.b"]
    assert [line for line in entry.diff if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        '-  b: "2"', '+  b: "3"']


@pytest.mark.parametrize("old, new", [(1, 1.0), (1, True), (1, "1"), (None, ""), ([], {})])
def test_types_count(old: Any, new: Any) -> None:
    assert paths({"v": old}, {"v": new}) == [("v", "changed")]


def test_inserted_named_item_is_one_addition() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    changes = field_changes(deployment(env), deployment([{"name": "Z", "value": "0"}, *env]))
    assert [(f.dotted, f.change, f.new) for f in changes] == [
        ("spec.template.spec.containers[0].env[0]", "added", {"name": "Z", "value": "0"})]


def test_removed_and_changed_named_items() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}]
    new = [{"name": "A", "value": "1"}, {"name": "C", "value": "4"}]
    assert paths(deployment(env), deployment(new)) == [
        ("spec.template.spec.containers[0].env[1].value", "changed"),  # C, at its new position
        ("spec.template.spec.containers[0].env[1]", "removed"),  # B, at its old position
    ]


def test_reordered_named_items_compare_by_position() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert paths(deployment(env), deployment(env[::-1])) == [
        ("spec.template.spec.containers[0].env[0].name", "changed"),
        ("spec.template.spec.containers[0].env[0].value", "changed"),
        ("spec.template.spec.containers[0].env[1].name", "changed"),
        ("spec.template.spec.containers[0].env[1].value", "changed"),
    ]


def test_plain_lists_compare_by_position() -> None:
    assert [(f.dotted, f.old, f.new) for f in field_changes({"args": ["a", "b"]}, {"args": ["a", "c", "d"]})] == [
        ("args[1]", "b", "c"), ("args[2]", MISSING, "d")]


def test_a_whole_document_of_another_type() -> None:
    [change] = field_changes("not yaml", {"a": 1})
    assert change.dotted == "(whole document)" and change.change == "changed"


# --- redaction --------------------------------------------------------------------------------

SECRET_KEY = Key("", "Secret", "app", "s")
CONFIGMAP_KEY = Key("", "ConfigMap", "app", "c")


def test_secret_data_and_string_data_are_all_redacted() -> None:
    data = obj("Secret", "s", data={"tls.crt": "QUJD"}, stringData={"user": "admin", "nested": {"x": "y"}},
               type="Opaque")
    out = redact(SECRET_KEY, data)
    assert isinstance(out["data"]["tls.crt"], Redacted)
    assert isinstance(out["stringData"]["user"], Redacted) and isinstance(out["stringData"]["nested"]["x"], Redacted)
    assert out["type"] == "Opaque" and out["metadata"] == data["metadata"]


@pytest.mark.parametrize("key, redacted", [
    ("password", True), ("clientSecret", True), ("apiToken", True), ("DB_PASSWORD", True), ("api_key", True),
    ("tls.key", True), ("ssh-privatekey", True), ("credentials", True),
    ("passwordKey", False), ("secretName", False), ("tokenSecretRef", False), ("existingSecret", False),
    ("secretKey", False), ("key", False), ("credentials-file", False), ("topologyKey", False),
])
def test_credential_looking_keys(key: str, redacted: bool) -> None:
    out = redact(CONFIGMAP_KEY, {"data": {key: "value"}})
    assert isinstance(out["data"][key], Redacted) is redacted


def test_references_under_credential_keys_stay_readable() -> None:
    data = {"spec": {"redisSecret": {"name": "redis-auth", "key": "password"}, "password": None, "token": True}}
    assert redact(CONFIGMAP_KEY, data) == data


def test_env_var_values_named_like_secrets_and_token_shaped_strings() -> None:
    env = [{"name": "DB_PASSWORD", "value": "pw"}, {"name": "LOG_LEVEL", "value": "info"},
           {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "t"}}}]
    out = redact(CONFIGMAP_KEY, {"env": env, "note": "ghp_" + "a" * 36})
    assert isinstance(out["env"][0]["value"], Redacted)
    assert out["env"][1:] == env[1:]
    assert isinstance(out["note"], Redacted)


def test_fingerprints_tell_equal_values_apart_from_changed_ones() -> None:
    old = redact(SECRET_KEY, obj("Secret", "s", stringData={"a": "one", "b": "same"}))
    new = redact(SECRET_KEY, obj("Secret", "s", stringData={"a": "two", "b": "same"}))
    assert old["stringData"]["b"] == new["stringData"]["b"]
    assert [f.dotted for f in field_changes(old, new)] == ["stringData.a"]


# --- notes and charts -------------------------------------------------------------------------

def application(name: str, version: str = "1.0.0", release: str | None = None) -> dict[str, Any]:
    helm: dict[str, Any] = {"valueFiles": ["$values/rendered/dev/values/chart.yaml"]}
    if release:
        helm["releaseName"] = release
    return obj("Application", name, "argoproj.io/v1alpha1", "argocd", spec={
        "sources": [{"repoURL": "https://charts.example.com", "chart": "demo", "targetRevision": version,
                     "helm": helm},
                    {"repoURL": "https://git.example.com/repo.git", "ref": "values"}],
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "demo"}})


def test_chart_version_and_values_changes_are_listed_for_the_chart_aware_diff() -> None:
    old = tree({"apps/demo.yaml": [application("demo")], "values/chart.yaml": [{"a": 1}]})
    new = tree({"apps/demo.yaml": [application("demo", "1.1.0")], "values/chart.yaml": [{"a": 2}]})
    [chart] = compare_trees("dev", old, new).charts
    assert (chart.application, chart.chart, chart.old_version, chart.new_version, chart.values_files) == (
        "demo", "demo", "1.0.0", "1.1.0", ("values/chart.yaml",))
    assert chart.objects is None and "not compared" in chart.reason


def test_renamed_application_from_another_file_pairs_by_its_sources() -> None:
    old = tree({"apps/demo.yaml": [application("demo", release="demo")]})
    new = tree({"apps/other.yaml": [application("demo-2", release="demo")]})
    result = compare_trees("dev", old, new)
    [note] = result.notes  # the release name is pinned: only the Application is recreated
    assert note.subjects == ("Application argocd/demo", "Application argocd/demo-2")


def test_unrelated_added_and_removed_applications_are_not_a_rename() -> None:
    other = application("other")
    other["spec"]["sources"][0]["chart"] = "something-else"
    result = compare_trees("dev", tree({"apps/a.yaml": [application("demo")]}), tree({"apps/b.yaml": [other]}))
    assert result.notes == [] and all(e.renamed is None for e in result.entries)


# --- reading rendered/ from disk --------------------------------------------------------------

def test_a_file_that_is_not_yaml_any_more_is_compared_as_text(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("key: [unclosed\n")
    (tmp_path / "b.yaml").write_bytes(b"\xff\xfe binary")
    disk = disk_tree(tmp_path, "dev")
    assert disk.files["a.yaml"].documents[0].data == "key: [unclosed\n"
    result = compare_trees("dev", disk, tree({"a.yaml": [{"key": ["closed"]}]}))
    assert [(e.status, e.title) for e in result.entries] == [
        (Status.CHANGED, "a.yaml"), (Status.REMOVED, "b.yaml")]


def test_a_broken_file_never_shows_credentials_in_clear(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("kind: Secret\nstringData:\n  password: hunter2\n  [broken\n")
    (tmp_path / "values.yaml").write_text("auth:\n  password: hunter3\n  user: admin\n  [broken\n")
    result = result_of(disk_tree(tmp_path, "dev"), tree({"values.yaml": [{"auth": {"user": "admin"}}]}))
    for reporter in (TextReporter(), MarkdownReporter(), JsonReporter()):
        buffer = io.StringIO()
        reporter.write(result, buffer)
        assert "hunter2" not in buffer.getvalue() and "hunter3" not in buffer.getvalue()
        assert "user: admin" in buffer.getvalue()  # the rest of the text is still shown


# --- reporters --------------------------------------------------------------------------------

def result_of(old: RenderedTree, new: RenderedTree) -> DiffResult:
    return DiffResult(SideLabel("main", "0" * 40), SideLabel("working tree"), [compare_trees("dev", old, new)])


def test_markdown_escapes_table_cells_and_fences() -> None:
    old = tree({"values/x.yaml": [{"cmd": "a | b", "doc": "```\ncode\n```\n"}]})
    new = tree({"values/x.yaml": [{"cmd": "a || b `x`", "doc": "````\ncode\n````\n"}]})
    text = MarkdownReporter().render(result_of(old, new))
    assert '<code>"a &#124;&#124; b `x`"</code>' in text
    assert "\n`````diff\n" in text and "\n`````\n" in text


def test_markdown_truncates_details_never_the_summary() -> None:
    old = tree({f"m/{i}.yaml": [obj("ConfigMap", f"c{i}", data={"v": "x" * 200})] for i in range(40)})
    new = copy.deepcopy(old)
    for i in range(40):
        new.files[f"m/{i}.yaml"].documents[0].data["data"]["v"] = "y" * 200
    result = result_of(old, new)
    text = MarkdownReporter(limit=8000).render(result)
    assert len(text) < 8000
    assert "| <code>dev</code> | 0 | 40 | 0 | 0 |" in text
    shown = text.count("<details>")
    compact = text.count("(details left out: comment size limit)")
    assert shown >= 1 and compact >= 1
    left_out = 40 - shown - compact
    assert f"{compact} objects listed without details" in text
    assert (f"{left_out} objects not listed" in text) is (left_out > 0)


def test_text_reporter_lists_whole_new_environments_without_bodies() -> None:
    buffer = io.StringIO()
    result = DiffResult(SideLabel("main"), SideLabel("working tree"),
                        [compare_trees("qa", None, tree({"a.yaml": [obj("ConfigMap", "x", data={"k": "v"})]}, "qa"))])
    TextReporter().write(result, buffer)
    assert buffer.getvalue().splitlines() == [
        "gitopsgen diff: main -> working tree", "qa: new environment (1 object)", "  + ConfigMap app/x  (a.yaml)"]


def test_json_leaves_out_the_missing_side_of_a_field() -> None:
    result = result_of(tree({"a.yaml": [obj("ConfigMap", "x", data={})]}),
                       tree({"a.yaml": [obj("ConfigMap", "x", data={"k": None})]}))
    buffer = io.StringIO()
    JsonReporter().write(result, buffer)
    [field] = json.loads(buffer.getvalue())["environments"][0]["objects"][0]["fields"]
    assert field == {"path": "data.k", "segments": ["data", "k"], "change": "added", "new": None, "redacted": False}


def test_color_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color("auto", Tty()) and not use_color("auto", io.StringIO())
    assert use_color("always", io.StringIO()) and not use_color("never", Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color("auto", Tty())


def test_hunks_are_numbered_by_the_lines_of_the_files() -> None:
    from gitopsgen.diff.textdiff import unified

    old, new = "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 20\nc: 3\n"
    assert unified(old, new, "a/f", "b/f")[2] == "@@ -1,3 +1,3 @@"
    assert unified(old, new, "a/f", "b/f", starts=(14, 15))[2] == "@@ -14,3 +15,3 @@"
    assert unified("", new, "", "b/f", starts=(1, 40))[2] == "@@ -0,0 +40,3 @@"  # added: no old lines
    assert unified(old, "", "a/f", "", starts=(7, 1))[2] == "@@ -7,3 +0,0 @@"  # removed


def test_hunks_of_a_document_deep_in_a_file_name_its_lines_there() -> None:
    first = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "one", "namespace": "x"}}
    second = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "two", "namespace": "x"},
              "data": {"a": "1", "b": "2"}}
    changed = copy.deepcopy(second)
    changed["data"]["b"] = "3"
    header = "# Generated\n"

    def with_header(docs: list[Any]) -> RenderedTree:
        out = RenderedTree("dev")
        out.add(RenderedFile("cm.yaml", "", tuple(make_document("cm.yaml", i, d) for i, d in enumerate(docs)),
                             header + yamlio.dump(docs)))
        return out

    old_tree, new_tree = with_header([first, second]), with_header([first, changed])
    [entry] = compare_trees("dev", old_tree, new_tree).entries
    hunk = next(line for line in entry.diff if line.startswith("@@"))
    old_at, new_at = (int(part.split(",")[0][1:]) for part in hunk.split()[1:3])
    old_lines = old_tree.files["cm.yaml"].text.splitlines()
    new_lines = new_tree.files["cm.yaml"].text.splitlines()
    body = entry.diff[entry.diff.index(hunk) + 1:]
    olds = [line[1:] for line in body if line[0] in " -"]
    news = [line[1:] for line in body if line[0] in " +"]
    assert old_lines[old_at - 1:old_at - 1 + len(olds)] == olds
    assert new_lines[new_at - 1:new_at - 1 + len(news)] == news
    assert "-  b: \"2\"" in body and "+  b: \"3\"" in body


def test_immutable_field_changes_are_called_out_as_a_recreate() -> None:
    def web(labels: dict[str, str], cluster_ip: str = "10.0.0.10") -> list[Any]:
        return [obj("Deployment", "web", "apps/v1", spec={"selector": {"matchLabels": labels}, "replicas": 2}),
                obj("Service", "web", spec={"clusterIP": cluster_ip, "ports": [{"port": 80}]}),
                obj("StatefulSet", "db", "apps/v1", spec={"serviceName": "db", "volumeClaimTemplates": [
                    {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}]})]

    same = compare_trees("dev", tree({"a.yaml": web({"app": "web"})}), tree({"a.yaml": web({"app": "web"})}))
    assert same.notes == []
    changed = web({"app": "web", "tier": "front"}, "10.0.0.11")
    changed[2]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "2Gi"
    result = compare_trees("dev", tree({"a.yaml": web({"app": "web"})}), tree({"a.yaml": changed}))
    notes = {n.subjects: n for n in result.notes}
    assert set(notes) == {("Deployment app/web",), ("Service app/web",), ("StatefulSet app/db",)}
    assert all(n.kind == "recreate" for n in result.notes)
    assert "spec.selector changes" in notes[("Deployment app/web",)].message
    assert "spec.volumeClaimTemplates" in notes[("StatefulSet app/db",)].message


def test_a_mutable_change_is_no_recreate() -> None:
    old = [obj("Deployment", "web", "apps/v1", spec={"selector": {"matchLabels": {"app": "web"}}, "replicas": 2})]
    new = [obj("Deployment", "web", "apps/v1", spec={"selector": {"matchLabels": {"app": "web"}}, "replicas": 3})]
    assert compare_trees("dev", tree({"a.yaml": old}), tree({"a.yaml": new})).notes == []
