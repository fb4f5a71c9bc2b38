"""Spec rules of issue 9: what production requires, what the backup method needs, memory limits,
forwarded headers and the retry budget, each at its line in the environment file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.spec import load
from kit import replace_in

PRD = "environments/prd.yaml"


def problems_of(project: Path, env: str = "prd") -> list[Problem]:
    with pytest.raises(SpecError) as caught:
        load(project, env)
    return sorted(caught.value.problems)


def line_of(project: Path, needle: str, path: str = PRD) -> int:
    lines = (project / path).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def places(problems: list[Problem]) -> list[tuple[str, int | None, str]]:
    return [(p.file, p.line, p.path) for p in problems]


def test_production_without_backups_is_refused_at_postgres(project: Path) -> None:
    text = (project / PRD).read_text()
    start = text.index("  backup:\n")
    end = text.index("\nredis:")
    (project / PRD).write_text(text[:start] + text[end:])
    found = problems_of(project)
    # and the plugin's charts, pinned in prd.yaml, are now unused (a finding about a mapping
    # points at its key)
    assert places(found) == [(PRD, line_of(project, "  certManager:"), "charts.certManager"),
                             (PRD, line_of(project, "  barmanCloud:"), "charts.barmanCloud"),
                             (PRD, line_of(project, "postgres:"), "postgres")]
    assert "no backup" in found[-1].message


def test_the_barman_cloud_plugin_needs_its_charts_in_the_operator_namespace(project: Path) -> None:
    replace_in(project / PRD, "    namespace: cnpg-system\n    releaseName: plugin-barman-cloud",
               "    namespace: barman\n    releaseName: plugin-barman-cloud")
    [problem] = problems_of(project)
    assert places([problem]) == [(PRD, line_of(project, "namespace: barman"), "charts.barmanCloud.namespace")]
    assert "cnpg-system" in problem.message


def test_development_may_back_up_with_volume_snapshots_but_gets_told_about_cold_primaries(project: Path) -> None:
    dev = project / "environments" / "dev.yaml"
    replace_in(dev, "  storage:\n    size: 5Gi\n", "  storage:\n    size: 5Gi\n  backup:\n    method: volumeSnapshot\n"
               "    className: csi-snapclass\n")
    loaded = load(project, "dev")
    assert [(p.path, p.severity) for p in loaded.warnings] == [("postgres.backup.online", Severity.WARNING)]


def test_one_ingress_controller_is_refused_in_production(project: Path) -> None:
    replace_in(project / PRD, "network:\n", "ingress:\n  replicas: 1\n\nnetwork:\n")
    [problem] = problems_of(project)
    assert places([problem]) == [(PRD, line_of(project, "replicas: 1"), "ingress.replicas")]


def test_the_tunnel_needs_the_pod_network_for_forwarded_headers(project: Path) -> None:
    replace_in(project / PRD, "network:\n  podCidr: 10.244.0.0/16", "network:\n  dns:\n    namespace: kube-system")
    [problem] = problems_of(project)
    assert problem.path == "network.podCidr"
    assert "forwarded headers" in (problem.hint or "")


def test_a_pod_network_must_be_a_network_address(project: Path) -> None:
    replace_in(project / PRD, "podCidr: 10.244.0.0/16", "podCidr: 10.244.0.1/16")
    [problem] = problems_of(project)
    assert places([problem]) == [(PRD, line_of(project, "podCidr:"), "network.podCidr")]


def test_redis_needs_a_memory_limit(project: Path) -> None:
    replace_in(project / "environments" / "defaults.yaml", "    limits: {memory: 256Mi}", "    limits: {}")
    [problem] = problems_of(project, "dev")
    assert problem.path == "redis.resources"
    assert "maxmemory" in problem.message


def test_a_short_retry_budget_is_a_warning(project: Path) -> None:
    replace_in(project / "environments" / "defaults.yaml", "  namespace: argocd\n",
               "  namespace: argocd\n  retry:\n    limit: 5\n    backoffMaxDuration: 5m\n")
    loaded = load(project, "dev")
    [warning] = loaded.warnings
    assert (warning.path, warning.severity) == ("argocd.retry", Severity.WARNING)
    assert "5 minutes" in warning.message


def test_the_default_project_key_is_gone_and_release_names_are_required(project: Path) -> None:
    replace_in(project / "environments" / "defaults.yaml", "  namespace: argocd\n", "  namespace: argocd\n"
               "  project: default\n")
    replace_in(project / "environments" / "defaults.yaml", "    releaseName: reloader\n", "")
    found = problems_of(project, "dev")
    assert {(p.path, p.message) for p in found} == {("argocd.project", "unknown key"),
                                                    ("charts.reloader.releaseName", "required key is missing")}


def test_production_without_data_protection_gets_a_warning(project: Path) -> None:
    replace_in(project / PRD, "namespace: example-prd\n", "namespace: example-prd\nprotectData: false\n")
    loaded = load(project, "prd")
    assert [(w.path, w.severity) for w in loaded.warnings] == [("protectData", Severity.WARNING)]
