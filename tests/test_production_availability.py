"""Operators and their fail-closed webhooks survive a node drain in production, Redis master and
replica never share a node there, and with a zone label the data layer spreads over zones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitopsgen.run.render import render_trees
from gitopsgen.tree.manifests import RenderedTree
from kit import copy_examples, replace_in

CERT_MANAGER = ("", "webhook", "cainjector")
ESO = ("", "webhook", "certController")


def values(tree: RenderedTree, chart: str) -> dict[str, Any]:
    doc = tree.first(f"values/{chart}.yaml")
    assert doc is not None
    return doc.data or {}


def part(data: dict[str, Any], key: str) -> dict[str, Any]:
    return data if not key else data[key]


def test_production_operators_run_two_replicas_behind_a_pdb(rendered: dict[str, RenderedTree]) -> None:
    prd = rendered["prd"]
    for chart, parts, count in (("cert-manager", CERT_MANAGER, "replicaCount"),
                                ("external-secrets", ESO, "replicaCount")):
        for key in parts:
            component = part(values(prd, chart), key)
            assert component[count] == 2, (chart, key)
            assert component["podDisruptionBudget"] == {"enabled": True}, (chart, key)
    assert values(prd, "external-secrets")["leaderElect"] is True  # one active controller of two
    assert values(prd, "cloudnative-pg")["replicaCount"] == 2
    assert values(prd, "redis-operator")["replicas"] == 2
    # the charts without a PDB of their own get ours, selecting the charts' selector labels
    pdbs = {(d.ident.namespace, d.ident.name): d.data["spec"] for d in prd.manifests("PodDisruptionBudget")}
    assert pdbs[("cnpg-system", "cnpg-operator")] == {
        "minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "cloudnative-pg",
                                                         "app.kubernetes.io/instance": "cnpg"}}}
    assert pdbs[("redis-operator", "redis-operator")] == {"minAvailable": 1,
                                                          "selector": {"matchLabels": {"name": "redis-operator"}}}


def test_development_operators_stay_single(rendered: dict[str, RenderedTree]) -> None:
    dev = rendered["dev"]
    assert "replicaCount" not in values(dev, "external-secrets")
    assert "replicaCount" not in values(dev, "cloudnative-pg")
    operators = ("cnpg-system", "redis-operator")
    assert not [d for d in dev.manifests("PodDisruptionBudget") if d.ident.namespace in operators]


def _redis(tree: RenderedTree) -> list[Any]:
    return [d for d in tree.manifests() if d.ident.group == "redis.redis.opstreelabs.in"]


def test_redis_anti_affinity_is_required_in_production_and_preferred_in_development(
        rendered: dict[str, RenderedTree]) -> None:
    for doc in _redis(rendered["prd"]):
        anti = doc.data["spec"]["affinity"]["podAntiAffinity"]
        [term] = anti["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["topologyKey"] == "kubernetes.io/hostname"
        suffix = "-sentinel" if doc.ident.kind == "RedisSentinel" else ""  # the operator's pod label
        assert term["labelSelector"]["matchLabels"] == {"app": doc.ident.name + suffix}
        assert "preferredDuringSchedulingIgnoredDuringExecution" not in anti
    for doc in _redis(rendered["dev"]):
        anti = doc.data["spec"].get("affinity", {}).get("podAntiAffinity", {})
        assert "requiredDuringSchedulingIgnoredDuringExecution" not in anti


def test_a_zone_label_spreads_the_api_postgres_and_redis_over_zones(rendered: dict[str, RenderedTree]) -> None:
    prd = rendered["prd"]
    zone = "topology.kubernetes.io/zone"
    api = prd.get("Deployment", "example-api")
    assert api is not None
    keys = [c["topologyKey"] for c in api.data["spec"]["template"]["spec"]["topologySpreadConstraints"]]
    assert keys == ["kubernetes.io/hostname", zone]
    [cluster] = prd.manifests("Cluster", "postgresql.cnpg.io/v1")
    assert [c["topologyKey"] for c in cluster.data["spec"]["topologySpreadConstraints"]] == [zone]
    for doc in _redis(prd):
        [constraint] = doc.data["spec"]["topologySpreadConstraints"]
        assert (constraint["topologyKey"], constraint["whenUnsatisfiable"]) == (zone, "DoNotSchedule")
    # no zone label in the spec, no zone spread
    assert not any("topologySpreadConstraints" in d.data["spec"] for d in _redis(rendered["dev"]))


def test_without_a_zone_label_production_spreads_over_nodes_only(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    replace_in(tmp_path / "environments" / "prd.yaml", "  zoneKey: topology.kubernetes.io/zone", "  spread: required")
    tree = render_trees(tmp_path, ["prd"])[0].tree
    [cluster] = tree.manifests("Cluster", "postgresql.cnpg.io/v1")
    assert "topologySpreadConstraints" not in cluster.data["spec"]
