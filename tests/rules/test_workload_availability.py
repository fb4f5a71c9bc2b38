"""workload-availability: replicated workloads survive a node drain and a node failure."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import workload_availability
from kit import assert_findings, line_with, mutate, with_file, without_file

API = "manifests/example-api/deployment.yaml"
PDB = "manifests/example-api/pdb.yaml"
CLOUDFLARED = "manifests/cloudflared/deployment.yaml"


def test_every_replicated_deployment_of_prd_has_a_budget_and_spreads(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(workload_availability, rendered["prd"], [])
    assert_findings(workload_availability, rendered["dev"], [])


def test_a_replicated_deployment_without_a_budget_is_flagged_at_its_replicas(
        rendered: dict[str, RenderedTree]) -> None:
    tree = without_file(rendered["prd"], PDB)
    found = assert_findings(workload_availability, tree, [(API, line_with(tree, API, "replicas: 2"))])
    assert "PodDisruptionBudget" in found[0].message


def test_a_budget_that_selects_other_pods_does_not_count(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PDB, lambda d: d[0]["spec"]["selector"]["matchLabels"].update(
        {"app.kubernetes.io/name": "other"}))
    assert_findings(workload_availability, tree, [(API, line_with(tree, API, "replicas: 2"))])


def test_a_budget_that_allows_no_disruption_blocks_drains(rendered: dict[str, RenderedTree]) -> None:
    def strict(docs: list[Any]) -> None:
        docs[0]["spec"].pop("maxUnavailable")
        docs[0]["spec"]["minAvailable"] = "100%"

    tree = mutate(rendered["prd"], PDB, strict)
    assert_findings(workload_availability, tree, [(PDB, line_with(tree, PDB, "spec:"))])


def test_a_single_replica_with_a_blocking_budget_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
              "metadata": {"name": "example-api", "namespace": "example-dev"},
              "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "example-api"}}}}
    tree = with_file(rendered["dev"], PDB, [budget])
    assert_findings(workload_availability, tree, [(PDB, line_with(tree, PDB, "spec:"))])


def test_replicas_that_may_share_a_node_are_flagged_at_the_pod_spec(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CLOUDFLARED, lambda d: d[0]["spec"]["template"]["spec"].pop(
        "topologySpreadConstraints"))
    found = assert_findings(workload_availability, tree, [(CLOUDFLARED, line_with(tree, CLOUDFLARED, "    spec:"))])
    assert "one node" in found[0].message
    term = {"topologyKey": "kubernetes.io/hostname",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "cloudflared"}}}
    anti_affinity = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": term}]}}
    spread = mutate(tree, CLOUDFLARED, lambda d: d[0]["spec"]["template"]["spec"].update(affinity=anti_affinity))
    assert_findings(workload_availability, spread, [])
