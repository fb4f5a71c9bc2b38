"""ingress-nginx-availability: the production entry point survives a node drain."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import ingress_nginx_availability
from kit import assert_findings, line_with, mutate


@pytest.fixture
def rendered(rendered_ingress_nginx: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """These checks are about ingress-nginx: the example environments switched to it."""
    return rendered_ingress_nginx

VALUES = "values/ingress-nginx.yaml"
PROJECT = "apps/project.yaml"


def _controller(values: Any) -> dict[str, Any]:
    return values["controller"]  # type: ignore[no-any-return]


def test_prd_runs_two_spread_controllers_and_dev_may_run_one(rendered: dict[str, RenderedTree]) -> None:
    assert _controller(rendered["prd"].files[VALUES].documents[0].data)["replicaCount"] == 2
    assert _controller(rendered["dev"].files[VALUES].documents[0].data)["replicaCount"] == 1
    assert_findings(ingress_nginx_availability, rendered["prd"], [])
    assert_findings(ingress_nginx_availability, rendered["dev"], [])


def test_one_production_controller_is_flagged_at_its_replica_count(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: _controller(v).update(replicaCount=1), doc=0)
    found = assert_findings(ingress_nginx_availability, tree, [(VALUES, line_with(tree, VALUES, "replicaCount: 1"))])
    assert "PodDisruptionBudget" in found[0].message
    # the chart default is one replica, too
    default = mutate(rendered["prd"], VALUES, lambda v: _controller(v).pop("replicaCount"), doc=0)
    assert_findings(ingress_nginx_availability, default, [(VALUES, line_with(default, VALUES, "controller:"))])


def test_a_budget_keeping_every_controller_blocks_drains(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: _controller(v).update(minAvailable=2), doc=0)
    assert_findings(ingress_nginx_availability, tree, [(VALUES, line_with(tree, VALUES, "minAvailable: 2"))])


def test_controllers_must_spread_and_run_as_a_deployment(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: _controller(v).pop("topologySpreadConstraints"), doc=0)
    assert_findings(ingress_nginx_availability, tree, [(VALUES, line_with(tree, VALUES, "controller:"))])
    daemonset = mutate(rendered["prd"], VALUES, lambda v: _controller(v).update(kind="DaemonSet"), doc=0)
    assert_findings(ingress_nginx_availability, daemonset, [(VALUES, line_with(daemonset, VALUES, "kind: DaemonSet"))])


def test_autoscaling_counts_its_minimum(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: _controller(v).update(
        autoscaling={"enabled": True, "minReplicas": 1}), doc=0)
    assert_findings(ingress_nginx_availability, tree, [(VALUES, line_with(tree, VALUES, "replicaCount: 2"))])


def test_only_production_trees_are_held_to_it(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: _controller(v).update(replicaCount=1), doc=0)
    tree = mutate(tree, PROJECT, lambda p: p["metadata"]["labels"].update({"gitopsgen.io/tier": "development"}),
                  doc=0)
    assert_findings(ingress_nginx_availability, tree, [])
