"""The chart-aware diff on in-memory trees: the values, release and namespace Argo CD would give
Helm, what Helm refuses, CRDs, the render cache, and the markdown size budget.

The chart is the test's own (`chart_support`), rendered by the real Helm engine from the cache.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chart_support import CHART, REPO_URL, cache_chart, chart_files
from gitopsgen.diff import ChartChange, DiffResult, SideLabel, Status, chartparse, compare_trees
from gitopsgen.diff.charts import ChartDiffer
from gitopsgen.diff.helmvalues import merge_maps, set_expression
from gitopsgen.diff.model import CrdChange
from gitopsgen.report.diff_json import to_json
from gitopsgen.report.diff_markdown import LIMIT, MarkdownReporter
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document

VALUES_FILE = "values/reloader.yaml"


def tree(files: dict[str, list[Any]], env: str = "dev") -> RenderedTree:
    out = RenderedTree(env)
    for path, docs in files.items():
        out.add(RenderedFile(path, "", tuple(make_document(path, i, d) for i, d in enumerate(docs)), yamlio.dump(docs)))
    return out


def application(version: str = "1.0.0", **helm: Any) -> dict[str, Any]:
    helm = {"valueFiles": [f"$values/rendered/dev/{VALUES_FILE}"], **helm}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "reloader", "namespace": "argocd"},
            "spec": {"project": "default",
                     "sources": [{"repoURL": REPO_URL, "chart": CHART, "targetRevision": version, "helm": helm},
                                 {"repoURL": "https://git.example.com/gitops.git", "ref": "values"}],
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": "reloader"}}}


def side(values: dict[str, Any], app: dict[str, Any] | None = None) -> RenderedTree:
    return tree({"apps/reloader.yaml": [app or application()], VALUES_FILE: [values]})


def chart_diff(old: RenderedTree, new: RenderedTree, differ: ChartDiffer | None = None) -> ChartChange:
    result = compare_trees("dev", old, new)
    (differ or ChartDiffer(("base", "head"))).fill(result, old, new)
    [chart] = result.charts
    return chart


def objects(chart: ChartChange) -> list[tuple[str, str, list[str]]]:
    assert chart.objects is not None, chart.reason
    return [(e.status.value, e.title, [f.dotted for f in e.fields]) for e in chart.objects]


def args(chart: ChartChange) -> dict[str, Any]:
    """The Deployment's argument changes: {path: (old, new)}."""
    assert chart.objects is not None, chart.reason
    [deployment] = [e for e in chart.objects if e.key.kind == "Deployment"]
    return {f.dotted.rpartition(".")[2]: (f.old, f.new) for f in deployment.fields}


@pytest.fixture
def cached(tmp_path: Path) -> Path:
    return cache_chart(tmp_path / "charts", "1.0.0")


def with_files(tmp_path: Path, **files: str) -> None:
    """Cache chart 1.0.0 with some files replaced or added."""
    cache_chart(tmp_path / "charts", "1.0.0", {**chart_files("1.0.0"), **files})


AUTO = {"reloader": {"autoReloadAll": True}}


# --- values, release, namespace ----------------------------------------------------------------


def test_a_null_in_our_values_deletes_the_chart_default(tmp_path: Path) -> None:
    values = chart_files("1.0.0")["values.yaml"].replace('token: ""', "token: chart-default-token")
    with_files(tmp_path, **{"values.yaml": values})
    old, new = side(AUTO), side({"reloader": {"autoReloadAll": True, "webhook": {"token": None}}})
    result = compare_trees("dev", old, new)
    ChartDiffer().fill(result, old, new)
    assert objects(result.charts[0]) == [("removed", "Secret reloader/reloader-webhook", [])]
    shown = json.dumps(to_json(DiffResult(SideLabel("a"), SideLabel("b"), [result])))
    assert "chart-default-token" not in shown and "<redacted sha256:" in shown


def test_values_files_then_values_object_then_parameters(cached: Path) -> None:
    app = application(valuesObject={"reloader": {"autoReloadAll": True, "reloadStrategy": "env-vars"}},
                      parameters=[{"name": "reloader.reloadStrategy", "value": "annotations,restart"}])
    chart = chart_diff(side({"reloader": {"autoReloadAll": False}}), side({"reloader": {"autoReloadAll": False}}, app))
    assert chart.settings == ("spec.sources[0].helm.valuesObject", "spec.sources[0].helm.parameters")
    assert chart.values_files == ()
    assert args(chart) == {
        "args[0]": ("--reload-strategy=default", "--reload-strategy=annotations,restart"),  # the comma is escaped
        "args[1]": ("--auto-reload-all=false", "--auto-reload-all=true"),
    }


def test_values_text_when_there_is_no_values_object(cached: Path) -> None:
    app = application(values="reloader:\n  autoReloadAll: true\n")
    chart = chart_diff(side({}), side({}, app))
    assert args(chart) == {"args[1]": ("--auto-reload-all=false", "--auto-reload-all=true")}


def test_force_string_parameters_stay_strings(cached: Path) -> None:
    app = application(parameters=[{"name": "reloader.deployment.replicas", "value": "2", "forceString": False}])
    assert objects(chart_diff(side({}), side({}, app))) == [
        ("changed", "Deployment reloader/reloader-reloader", ["spec.replicas"])]
    forced = application(parameters=[{"name": "reloader.reloadStrategy", "value": "true", "forceString": True}])
    assert args(chart_diff(side({}), side({}, forced))) == {
        "args[0]": ("--reload-strategy=default", "--reload-strategy=true")}


def test_release_name_and_namespace_come_from_the_helm_settings(cached: Path) -> None:
    moved = application(releaseName="rl", namespace="ops")
    chart = chart_diff(side({}), side({}, moved))
    assert sorted(objects(chart)) == [
        ("added", "Deployment ops/rl-reloader", []),
        ("removed", "Deployment reloader/reloader-reloader", []),
    ]


def test_destination_namespace_change_is_a_chart_change(cached: Path) -> None:
    app = application()
    app["spec"]["destination"]["namespace"] = "platform"
    chart = chart_diff(side({}), side({}, app))
    assert chart.settings == ("spec.destination.namespace",)
    assert sorted(objects(chart)) == [("added", "Deployment platform/reloader-reloader", []),
                                      ("removed", "Deployment reloader/reloader-reloader", [])]


def test_a_values_file_inside_the_chart(tmp_path: Path) -> None:
    with_files(tmp_path, **{"values-ha.yaml": "reloader:\n  deployment:\n    replicas: 2\n"})
    app = application()
    app["spec"]["sources"][0]["helm"]["valueFiles"].insert(0, "values-ha.yaml")
    assert objects(chart_diff(side({}), side({}, app))) == [
        ("changed", "Deployment reloader/reloader-reloader", ["spec.replicas"])]


def test_a_missing_values_file_is_a_reason_unless_ignored(cached: Path) -> None:
    app = application()
    app["spec"]["sources"][0]["helm"]["valueFiles"].append("values-missing.yaml")
    chart = chart_diff(side({}), side(AUTO, app))
    assert chart.objects is None
    assert chart.reason == "not compared: head: value file values-missing.yaml is not in chart reloader 1.0.0"
    app["spec"]["sources"][0]["helm"]["ignoreMissingValueFiles"] = True
    assert args(chart_diff(side({}), side(AUTO, app))) == {
        "args[1]": ("--auto-reload-all=false", "--auto-reload-all=true")}


def test_merge_maps_keeps_nulls_for_helm_to_apply() -> None:
    assert merge_maps({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": None}, "d": [2]}) == {
        "a": {"b": None, "c": 2}, "d": [2]}


@pytest.mark.parametrize("value, expression", [
    ("a,b", r"x=a\,b"), (r"a\,b", r"x=a\,b"), ("{a,b}", "x={a,b}"), ("plain", "x=plain")])
def test_parameters_are_escaped_as_argo_cd_does(value: str, expression: str) -> None:
    assert set_expression("x", value) == expression


# --- what Helm refuses, CRDs -------------------------------------------------------------------


def test_values_the_chart_schema_refuses_are_a_reason_with_helms_words(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"reloader": {"type": "object", "properties": {
        "autoReloadAll": {"type": "boolean"}}}}}
    with_files(tmp_path, **{"values.schema.json": json.dumps(schema)})
    chart = chart_diff(side({}), side({"reloader": {"autoReloadAll": "yes please"}}))
    assert chart.objects is None and chart.reason is not None
    assert chart.reason.startswith("not compared: head: Helm cannot render chart reloader 1.0.0: values don't meet")
    assert "autoReloadAll" in chart.reason


def test_a_template_error_is_a_reason(tmp_path: Path) -> None:
    with_files(tmp_path, **{"templates/broken.yaml": "{{ .Values.nothing.here }}\n"})
    chart = chart_diff(side({}), side(AUTO))
    assert chart.objects is None and "Helm cannot render chart reloader 1.0.0: reloader/templates/broken.yaml" \
        in (chart.reason or "")


def test_skip_crds_leaves_the_charts_crds_out(cached: Path) -> None:
    assert chart_diff(side({}), side(AUTO)).crds_unchanged == 1
    # Argo CD no longer applies them, and prunes what it applied before: shown as removed.
    chart = chart_diff(side({}), side(AUTO, application(skipCrds=True)))
    assert [(c.name, c.status.value) for c in chart.crds] == [("widgets.example.org", "removed")]


def test_a_crd_rendered_by_a_template_is_summarised_too(tmp_path: Path) -> None:
    crd = chart_files("1.0.0")["crds/widgets.yaml"].replace("widgets.example.org", "gadgets.example.org")
    with_files(tmp_path, **{"templates/crd.yaml": "{{- if .Values.reloader.autoReloadAll }}\n" + crd + "{{- end }}\n"})
    chart = chart_diff(side({}), side(AUTO))
    assert [(c.name, c.status.value) for c in chart.crds] == [("gadgets.example.org", "added")]
    assert [o[1] for o in objects(chart)] == ["Deployment reloader/reloader-reloader"]


def test_test_hooks_are_left_out_with_skip_tests(tmp_path: Path) -> None:
    hook = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  annotations:\n"
            "    helm.sh/hook: test\n")
    with_files(tmp_path, **{"templates/tests/pod.yaml": hook})
    chart = chart_diff(side({}), side({}, application(skipTests=True)))
    assert objects(chart) == [("removed", "Pod reloader-test", [])]


@pytest.mark.parametrize("text, documents", [
    ("a: 1\n---\nb: 2\n", ["a: 1", "b: 2"]),
    ("---\na: 1\n---   \n\n---\n# only a comment\n", ["a: 1", "# only a comment"]),
    ("a: |\n  ---\n  text\n", ["a: |\n  ---\n  text"]),  # an indented --- is content
])
def test_documents_are_split_where_helm_splits_them(text: str, documents: list[str]) -> None:
    assert [d.strip() for d in chartparse.split(text)] == documents


def test_crds_are_named_from_their_first_lines_and_compared_as_data_when_their_text_differs() -> None:
    crd = chart_files("1.0.0")["crds/widgets.yaml"]
    parser = chartparse.Parser()
    assert parser.crd_name(crd) == "widgets.example.org"
    assert parser.crd_name("spec:\n  kind: CustomResourceDefinition\nkind: ConfigMap\nmetadata: {name: x}\n") is None
    metadata = "metadata:\n  name: widgets.example.org\n"
    reordered = crd.replace(metadata, "") + metadata  # metadata after the spec: same content, other text
    assert parser.crd_name(reordered) == "widgets.example.org"
    assert parser.crd_changes({"w": crd}, {"w": reordered}) == ([], 1)
    changed = crd.replace("type: integer", "type: string")
    assert parser.crd_changes({"w": crd}, {"w": changed, "v": crd}) == (
        [CrdChange("v", Status.ADDED), CrdChange("w", Status.CHANGED)], 0)


# --- caches and size --------------------------------------------------------------------------


def test_each_chart_is_loaded_once_and_each_render_done_once(cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import helm_python

    calls = {"load": 0, "render": 0}
    load, render = helm_python.Chart.load_archive.__func__, helm_python.Chart.render  # type: ignore[attr-defined]

    def counting_load(cls: Any, data: bytes) -> Any:
        calls["load"] += 1
        return load(cls, data)

    def counting_render(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["render"] += 1
        return render(self, *args, **kwargs)

    monkeypatch.setattr(helm_python.Chart, "load_archive", classmethod(counting_load))
    monkeypatch.setattr(helm_python.Chart, "render", counting_render)
    differ = ChartDiffer(("base", "head"))
    for _ in range(2):  # two environments with the same chart, values and release
        chart_diff(side({}), side(AUTO), differ)
    assert calls == {"load": 1, "render": 2}


def test_chart_objects_count_against_the_markdown_budget(tmp_path: Path) -> None:
    many = ("{{- range $i := until (int .Values.reloader.count) }}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata:\n  name: bulk-{{ $i }}\n  namespace: {{ $.Release.Namespace }}\ndata:\n"
            "{{- range $j := until 12 }}\n  key-{{ $j }}: value-{{ $i }}-{{ $j }}-padding-padding-padding\n"
            "{{- end }}\n{{- end }}\n")
    with_files(tmp_path, **{"templates/bulk.yaml": many, "values.yaml": chart_files("1.0.0")["values.yaml"]
                            + "  count: 0\n"})
    old, new = side({}), side({"reloader": {"count": 300}})
    result = compare_trees("dev", old, new)
    ChartDiffer(("base", "head")).fill(result, old, new)
    chart = result.charts[0]
    assert chart.objects is not None and len(chart.objects) == 300
    full = MarkdownReporter(limit=10**9)
    assert sum(len(full.details(e)) for e in chart.objects) > LIMIT
    text = MarkdownReporter().render(DiffResult(SideLabel("main", "0" * 40), SideLabel("working tree"), [result]))
    assert len(text) < 65_000
    assert "chart reloader of Application reloader: values changed (values/reloader.yaml); what it deploys: " \
           "300 added" in text  # the summary stays
    assert "This comment is shortened" in text
    assert "<details><summary><b>added</b> <code>ConfigMap reloader/bulk-0</code>" in text


def test_without_both_trees_nothing_is_rendered() -> None:
    result = compare_trees("dev", None, side({}))
    ChartDiffer().fill(result, None, side({}))
    assert result.charts == []


def test_values_change_alone_keeps_the_listing_shape(cached: Path) -> None:
    old = side({})
    new = side(copy.deepcopy(AUTO))
    chart = chart_diff(old, new)
    assert (chart.application, chart.chart, chart.old_version, chart.new_version, chart.values_files) == (
        "reloader", CHART, "1.0.0", "1.0.0", (VALUES_FILE,))
