"""gateway-data-plane-availability: the production NGINX data plane survives a node drain."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import gateway_data_plane_availability
from kit import assert_findings, line_with, mutate

VALUES = "values/nginx-gateway-fabric.yaml"
GATEWAY = "manifests/gateway/gateway.yaml"


def test_prd_runs_two_spread_pods_with_a_budget_and_dev_may_run_one(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(gateway_data_plane_availability, rendered["prd"], [])
    assert_findings(gateway_data_plane_availability, rendered["dev"], [])  # development: not held to it


def test_one_production_pod_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda d: d[0]["nginx"].pop("replicas"))  # the chart default: 1
    found = assert_findings(gateway_data_plane_availability, tree, [(VALUES, line_with(tree, VALUES, "nginx:"))])
    assert found[0].message.startswith("1 NGINX data-plane pod(s)")


def test_a_missing_or_blocking_budget_and_no_spread_are_flagged(rendered: dict[str, RenderedTree]) -> None:
    gone = mutate(rendered["prd"], GATEWAY, lambda d: d.pop(1))
    assert_findings(gateway_data_plane_availability, gone, [(GATEWAY, line_with(gone, GATEWAY, "name: edge"))])
    blocking = mutate(rendered["prd"], GATEWAY, lambda d: d[1]["spec"].update(maxUnavailable=0))
    assert_findings(gateway_data_plane_availability, blocking,
                    [(GATEWAY, line_with(blocking, GATEWAY, "maxUnavailable: 0") - 1)])
    unspread = mutate(rendered["prd"], VALUES, lambda d: d[0]["nginx"].pop("pod"))
    assert_findings(gateway_data_plane_availability, unspread, [(VALUES, line_with(unspread, VALUES, "nginx:"))])
