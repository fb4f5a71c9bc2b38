"""Observability: on by default in production when the cluster runs the Prometheus Operator,
PodMonitors for PostgreSQL (and the Barman Cloud plugin's metrics) and Redis, alerts on WAL
archiving, backup age, PVC usage and the Redis master, validated against the Prometheus Operator
CRDs where a schema store holds them, and NetworkPolicies that let the scraper in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.run.render import render_trees
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.schemas import SchemaOptions, validate_tree
from kit import copy_examples, mutate, replace_in
from netpol_sim import Pod, ingress_allowed

MONITORING = "manifests/data/monitoring.yaml"
SCRAPER = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"})
PROMETHEUS_ON = "  prometheusOperator: true        "


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> RenderedTree:
    """prd on a cluster that runs the Prometheus Operator (the example says it does not)."""
    root = tmp_path_factory.mktemp("observed")
    copy_examples(root)
    replace_in(root / "environments" / "prd.yaml", "  prometheusOperator: false       ", PROMETHEUS_ON)
    return render_trees(root, ["prd"])[0].tree


def _prometheus_operator_crds() -> list[Path]:
    """The Prometheus Operator's PodMonitor and PrometheusRule CRDs among the reference data, if any."""
    base = Path(__file__).resolve().parent.parent.parent / "shared"
    names = ("monitoring.coreos.com_podmonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml")
    return sorted(p for name in names for p in base.glob(f"**/{name}")) if base.is_dir() else []


def alerts(tree: RenderedTree) -> dict[str, dict[str, Any]]:
    [rule] = tree.manifests("PrometheusRule")
    return {r["alert"]: r for group in rule.data["spec"]["groups"] for r in group["rules"]}


def test_production_alerts_on_wal_backups_volumes_and_the_redis_master(observed: RenderedTree) -> None:
    prd = observed
    found = alerts(prd)
    assert set(found) == {"PostgresWALArchivingFailing", "PostgresWALArchiveBacklog", "PostgresBackupTooOld",
                          "VolumeAlmostFull", "RedisMasterMissing"}
    assert "cnpg_pg_stat_archiver_failed_count" in found["PostgresWALArchivingFailing"]["expr"]
    # the Barman Cloud plugin's metric (the in-core cnpg_collector one is deprecated with the plugin)
    assert "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp" in found["PostgresBackupTooOld"]["expr"]
    assert "> 93600" in found["PostgresBackupTooOld"]["expr"]  # 26 hours
    assert 'role="master"' in found["RedisMasterMissing"]["expr"]
    monitors = {d.ident.name: d.data["spec"] for d in prd.manifests("PodMonitor")}
    assert monitors == {
        "example-db": {"selector": {"matchLabels": {"cnpg.io/cluster": "example-db"}},
                       "podMetricsEndpoints": [{"port": "metrics"}]},
        "example-redis": {"selector": {"matchLabels": {"app": "example-redis"}},
                          "podMetricsEndpoints": [{"port": "redis-exporter"}]}}
    assert all(d.data["metadata"]["labels"] == {"release": "kube-prometheus-stack"}
               for d in [*prd.manifests("PodMonitor"), *prd.manifests("PrometheusRule")])
    [replication] = prd.manifests("RedisReplication")
    assert replication.data["spec"]["redisExporter"]["enabled"] is True


def test_the_monitoring_objects_are_validated_against_the_prometheus_operator_crds(
        observed: RenderedTree, tmp_path: Path) -> None:
    crds = _prometheus_operator_crds()
    if len(crds) < 2:
        pytest.skip("the Prometheus Operator's CRDs are not among the reference data beside the checkout")
    from gitopsgen.store.importing import ImportOptions, import_sources

    import_sources(ImportOptions(tmp_path, tuple(str(p) for p in crds), tmp_path / "store"))
    options = SchemaOptions("1.33", (str(tmp_path / "store"),))
    prd = observed
    assert [p.format() for p in validate_tree(prd, options) if MONITORING in p.file] == []

    def broken(docs: list[Any]) -> None:
        docs[2]["spec"]["groups"][0]["rules"][0]["for"] = "ten minutes"  # not a Prometheus duration
        docs[0]["spec"]["podMetricsEndpoints"][0]["portNumber"] = "metrics"  # not a field
    problems = [p for p in validate_tree(mutate(prd, MONITORING, broken), options) if MONITORING in p.file]
    assert sorted(p.path for p in problems) == ["spec.groups[0].rules[0].for",
                                                "spec.podMetricsEndpoints[0].portNumber"]


def test_the_scraper_reaches_the_exporters_and_nothing_else(observed: RenderedTree,
                                                           rendered: dict[str, RenderedTree]) -> None:
    prd, dev = observed, rendered["dev"]
    postgres = Pod("example-prd", {"cnpg.io/cluster": "example-db"})
    redis = Pod("example-prd", {"app": "example-redis"})
    assert ingress_allowed(prd, SCRAPER, postgres, 9187)
    assert ingress_allowed(prd, SCRAPER, redis, 9121)
    assert not ingress_allowed(prd, SCRAPER, postgres, 5432)
    assert not ingress_allowed(prd, SCRAPER, redis, 6379)
    assert not ingress_allowed(prd, Pod("other", {"app.kubernetes.io/name": "prometheus"}), postgres, 9187)
    # development renders no monitoring, so no door for it
    assert not ingress_allowed(dev, SCRAPER, Pod("example-dev", {"cnpg.io/cluster": "example-db"}), 9187)


def test_development_has_none_unless_asked(tmp_path: Path, rendered: dict[str, RenderedTree]) -> None:
    assert list(rendered["dev"].manifests("PodMonitor")) == []
    copy_examples(tmp_path)
    dev = tmp_path / "environments" / "dev.yaml"
    replace_in(dev, "redis:\n", "observability:\n  prometheusOperator: true\n\nredis:\n")
    assert list(render_trees(tmp_path, ["dev"])[0].tree.manifests("PodMonitor")) == []
    replace_in(dev, "  prometheusOperator: true\n", "  prometheusOperator: true\n  enabled: true\n")
    tree = render_trees(tmp_path, ["dev"])[0].tree
    assert {d.ident.name for d in tree.manifests("PodMonitor")} == {"example-db", "example-redis"}
    # no backup in development: no backup or WAL alerts, the others stay
    assert set(alerts(tree)) == {"VolumeAlmostFull", "RedisMasterMissing"}


def test_production_without_the_prometheus_operator_renders_none(rendered: dict[str, RenderedTree]) -> None:
    tree = rendered["prd"]  # the example's cluster runs no Prometheus Operator
    assert MONITORING not in tree.files or list(tree.manifests("PodMonitor")) == []
    [replication] = tree.manifests("RedisReplication")
    assert "redisExporter" not in replication.data["spec"]


def test_enabling_it_without_the_operator_is_refused_at_the_line(project: Path) -> None:
    replace_in(project / "environments" / "dev.yaml", "redis:\n", "observability:\n  enabled: true\n\nredis:\n")
    with pytest.raises(SpecError) as caught:
        load(project, "dev")
    [problem] = caught.value.problems
    assert problem.path == "observability.enabled"
    lines = (project / "environments" / "dev.yaml").read_text().splitlines()
    assert lines[problem.line - 1].strip() == "enabled: true"  # type: ignore[operator]

