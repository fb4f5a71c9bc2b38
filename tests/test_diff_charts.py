"""The chart-aware diff between commits of a real git repository (pinned author and committer).

The test's own chart (`chart_support`: a stand-in for Stakater Reloader, built from files the test
writes) sits in the chart cache under this test's GITOPSGEN_CACHE_DIR; the real Reloader
Application and values file of the example environments drive it. One history per module:

    v0 -> pinned (Reloader chart 1.0.0, our values file) -> values (autoReloadAll and the webhook
    token change) -> bump (chart 1.1.0)
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from chart_support import CHART, REPO_URL, cache_chart
from git_support import commit, init_repo
from gitopsgen import __version__
from gitopsgen.core import cache
from gitopsgen.diff import ChartChange, DiffOptions, DiffResult, Status, diff
from gitopsgen.diff.model import CrdChange
from gitopsgen.report.diff_json import JsonReporter
from gitopsgen.report.diff_markdown import MarkdownReporter
from gitopsgen.report.diff_text import TextReporter
from kit import cli
from store_support import helm_repo, serve

TOKENS = ("hunter2-before", "hunter2-after")
VALUES_TEMPLATE = """\
reloader:
  autoReloadAll: {auto}
  reloadStrategy: annotations
  watchGlobally: false
  namespaces: {{{{ names.reloader_namespaces | toyaml }}}}
  webhook:
    token: {token}
"""
ARG_PATH = "spec.template.spec.containers[0].args[1]"


def _pin(root: Path, version: str) -> None:
    defaults = root / "environments" / "defaults.yaml"
    text, count = re.subn(r"(chart: reloader\n\s+version: )\S+", rf"\g<1>{version}", defaults.read_text())
    assert count == 1, "the Reloader pin moved: update this test"
    defaults.write_text(text)


def _values(root: Path, auto: str, token: str) -> None:
    (root / "templates" / "values" / "reloader.yaml.j2").write_text(VALUES_TEMPLATE.format(auto=auto, token=token))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("charts") / "repo"
    init_repo(repo)  # v0
    _pin(repo, "1.0.0")
    _values(repo, "false", TOKENS[0])
    commit(repo, "Reloader 1.0.0 with our values", tag="pinned")
    _values(repo, "true", TOKENS[1])
    commit(repo, "auto-reload everything, rotate the webhook token", tag="values")
    _pin(repo, "1.1.0")
    commit(repo, "Reloader 1.1.0", tag="bump")
    return repo


@pytest.fixture
def charts(tmp_path: Path) -> dict[str, Path]:
    """Both versions of the chart in this test's cache."""
    return {v: cache_chart(tmp_path / "charts", v) for v in ("1.0.0", "1.1.0")}


def run(repo: Path, base: str, head: str, **options: Any) -> DiffResult:
    return diff(DiffOptions(root=repo, envs=("dev",), base=base, head=head, **options))


def reloader(result: DiffResult) -> ChartChange:
    [env] = result.envs
    [chart] = [c for c in env.charts if c.chart == CHART]
    return chart


def objects(chart: ChartChange) -> list[tuple[str, str, list[str]]]:
    assert chart.objects is not None, chart.reason
    return [(e.status.value, e.title, [f.dotted for f in e.fields]) for e in chart.objects]


def formats(result: DiffResult) -> dict[str, str]:
    out = {}
    for reporter in (TextReporter(), MarkdownReporter(), JsonReporter()):
        buffer = io.StringIO()
        reporter.write(result, buffer)
        out[reporter.name] = buffer.getvalue()
    return out


def json_chart(text: str) -> dict[str, Any]:
    [env] = json.loads(text)["environments"]
    [chart] = [c for c in env["charts"] if c["chart"] == CHART]
    return dict(chart)


# --- what the chart deploys -------------------------------------------------------------------


def test_values_change_shows_the_deployment_argument_the_chart_changes(history: Path, charts: dict[str, Path]) -> None:
    result = run(history, "pinned", "values")
    chart = reloader(result)
    assert (chart.old_version, chart.new_version, chart.values_files) == ("1.0.0", "1.0.0", ("values/reloader.yaml",))
    assert chart.reason is None and chart.hint is None
    assert objects(chart) == [
        ("changed", "Deployment reloader/reloader-reloader", [ARG_PATH]),
        ("changed", "Secret reloader/reloader-webhook", ["stringData.token"]),
    ]
    deployment = chart.objects[0]  # type: ignore[index]
    [arg] = deployment.fields
    assert (arg.old, arg.new) == ("--auto-reload-all=false", "--auto-reload-all=true")
    assert deployment.position == ("reloader/templates/deployment.yaml", 0)  # the chart's template, as helm names it
    assert "--- a/reloader/templates/deployment.yaml" in deployment.diff
    assert chart.crds == [] and chart.crds_unchanged == 1

    shown = formats(result)
    assert f"{ARG_PATH}: --auto-reload-all=false -> --auto-reload-all=true" in shown["text"]
    assert "what it deploys: 2 changed" in shown["text"]
    markdown = shown["markdown"]
    assert "chart <code>reloader</code> 1.0.0 of Application <code>dev-reloader</code>, what it deploys: 2 changed" \
        in markdown
    assert f"<code>{ARG_PATH}</code> | <code>--auto-reload-all=false</code> | <code>--auto-reload-all=true</code>" \
        in markdown
    data = json_chart(shown["json"])
    assert data["reason"] is None and data["crdsUnchanged"] == 1
    assert [(o["title"], o["file"], [f["path"] for f in o["fields"]]) for o in data["objects"]] == [
        ("Deployment reloader/reloader-reloader", "reloader/templates/deployment.yaml", [ARG_PATH]),
        ("Secret reloader/reloader-webhook", "reloader/templates/secret.yaml", ["stringData.token"]),
    ]


def test_chart_secret_values_are_redacted_in_every_format(history: Path, charts: dict[str, Path]) -> None:
    result = run(history, "pinned", "values")
    secret = reloader(result).objects[1]  # type: ignore[index]
    [token] = secret.fields
    assert token.redacted and token.old != token.new
    for name, text in formats(result).items():
        for clear in TOKENS:
            assert clear not in text, f"{clear} in the {name} report"
    data = json_chart(formats(result)["json"])
    [field] = data["objects"][1]["fields"]
    assert field["redacted"] is True and field["new"].startswith("<redacted sha256:")


def test_version_bump_shows_new_objects_changed_fields_and_a_crd_summary(history: Path,
                                                                        charts: dict[str, Path]) -> None:
    result = run(history, "values", "bump")
    chart = reloader(result)
    assert (chart.old_version, chart.new_version, chart.values_files) == ("1.0.0", "1.1.0", ())
    assert objects(chart) == [
        ("changed", "Deployment reloader/reloader-reloader",
         ["metadata.labels.app.kubernetes.io/version", "spec.template.spec.containers[0].image"]),
        ("added", "ServiceAccount reloader/reloader-reloader", []),
    ]
    assert chart.crds == [CrdChange("widgets.example.org", Status.CHANGED)]
    shown = formats(result)
    assert "version 1.0.0 -> 1.1.0" in shown["text"]
    assert "spec.template.spec.containers[0].image: ghcr.io/stakater/reloader:v1.0.0 -> " \
           "ghcr.io/stakater/reloader:v1.1.0" in shown["text"]
    assert "CRDs (compared by name only): changed widgets.example.org" in shown["text"]
    assert "NOTES" not in shown["text"]
    assert "1.0.0 → 1.1.0 of Application <code>dev-reloader</code>, what it deploys: 1 added, 1 changed" \
        in shown["markdown"]
    assert "| <code>spec.template.spec.containers[0].image</code> | <code>ghcr.io/stakater/reloader:v1.0.0</code> | " \
           "<code>ghcr.io/stakater/reloader:v1.1.0</code> |" in shown["markdown"]
    assert "<b>added</b> <code>ServiceAccount reloader/reloader-reloader</code>" in shown["markdown"]
    data = json_chart(shown["json"])
    assert data["crds"] == [{"name": "widgets.example.org", "status": "changed"}]
    assert [(o["status"], o["title"]) for o in data["objects"]] == [
        ("changed", "Deployment reloader/reloader-reloader"), ("added", "ServiceAccount reloader/reloader-reloader")]


def test_the_rest_of_the_diff_is_the_same_with_or_without_the_chart_aware_part(history: Path,
                                                                              charts: dict[str, Path]) -> None:
    with_charts = run(history, "pinned", "values")
    without = run(history, "pinned", "values", charts=False)
    assert [(e.status, e.title, e.fields) for e in with_charts.envs[0].entries] == [
        (e.status, e.title, e.fields) for e in without.envs[0].entries]
    assert reloader(without).objects is None


# --- when it cannot look ----------------------------------------------------------------------


def test_a_chart_missing_from_the_cache_names_the_fetch_command(history: Path, tmp_path: Path) -> None:
    cache_chart(tmp_path / "charts", "1.1.0")  # the base side's 1.0.0 is not cached
    result = run(history, "values", "bump")
    chart = reloader(result)
    command = "gitopsgen diff dev --base values --head bump --fetch-charts"
    assert chart.objects is None and chart.hint == command
    assert "not in the chart cache: reloader 1.0.0 (values)" in (chart.reason or "")
    shown = formats(result)
    for name in ("text", "markdown"):
        assert "reloader 1.0.0 (values)" in shown[name] and f"`{command}`" in shown[name], name
    data = json_chart(shown["json"])
    assert data["objects"] is None and data["hint"] == command


def test_without_the_helm_extra_the_section_says_how_to_enable_it(history: Path, charts: dict[str, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "helm_python", None)  # `import helm_python` raises ImportError
    result = run(history, "pinned", "values")
    chart = reloader(result)
    command = f'pip install "gitopsgen[helm] @ git+https://github.com/gitopsgen/gitopsgen@v{__version__}"'
    assert chart.objects is None and chart.hint == command
    shown = formats(result)
    for name, text in shown.items():
        assert "gitopsgen[helm]" in text, name
    assert f"the Helm engine is not installed; enable the chart-aware diff with `{command}`" in shown["text"]
    assert [e.title for e in result.envs[0].entries] == ["values/reloader.yaml"]  # the rest: as always


def test_fetch_charts_downloads_both_sides_digest_checked_through_the_mirror(history: Path, tmp_path: Path) -> None:
    from chart_support import build_chart

    site = tmp_path / "site"
    helm_repo(site / "reloader", [(CHART, v, build_chart(tmp_path / "build" / v, v)) for v in ("1.0.0", "1.1.0")])
    config = history / "gitopsgen.toml"
    with serve(site) as (base, requests):
        config.write_text(f'[schemas.mirrors]\n"{REPO_URL}" = "{base}/reloader"\n')
        try:
            offline = run(history, "values", "bump")
            assert reloader(offline).objects is None and requests == []  # no network unless asked
            fetched = run(history, "values", "bump", fetch_charts=True)
        finally:
            config.unlink()
    assert [e[1] for e in objects(reloader(fetched))] == [
        "Deployment reloader/reloader-reloader", "ServiceAccount reloader/reloader-reloader"]
    assert sorted(r for r in requests if r.endswith(".tgz")) == ["/reloader/reloader-1.0.0.tgz",
                                                                 "/reloader/reloader-1.1.0.tgz"]
    for version in ("1.0.0", "1.1.0"):
        assert cache.chart_path(REPO_URL, CHART, version).is_file()
    again = run(history, "values", "bump")  # now from the cache, offline
    assert objects(reloader(again)) == objects(reloader(fetched))


def test_a_tampered_cached_archive_is_not_used(history: Path, tmp_path: Path, charts: dict[str, Path]) -> None:
    other = cache_chart(tmp_path / "other", "1.1.0")  # the 1.1.0 chart where 1.0.0 belongs
    charts["1.0.0"].write_bytes(other.read_bytes())
    chart = reloader(run(history, "values", "bump"))
    assert chart.objects is None
    assert "the cache holds chart reloader 1.1.0 where reloader 1.0.0 belongs" in (chart.reason or "")


# --- the command line, without --base ----------------------------------------------------------


def test_cli_diff_against_rendered_shows_the_chart_objects(project: Path, tmp_path: Path) -> None:
    _pin(project, "1.0.0")
    cache_chart(tmp_path / "charts", "1.0.0")
    _values(project, "true", '""')
    assert cli("render", "dev", "--root", project).returncode == 0
    values = project / "rendered" / "dev" / "values" / "reloader.yaml"
    values.write_text(values.read_text().replace("autoReloadAll: true", "autoReloadAll: false"))  # by hand
    done = cli("diff", "dev", "--root", project, "--color", "never")
    assert done.returncode == 1, done.stderr
    assert "* chart reloader of Application dev-reloader: values changed (values/reloader.yaml); what it deploys: " \
           "1 changed" in done.stdout
    assert f"          {ARG_PATH}: --auto-reload-all=false -> --auto-reload-all=true" in done.stdout
    help_text = cli("diff", "--help").stdout
    assert "--fetch-charts" in help_text
