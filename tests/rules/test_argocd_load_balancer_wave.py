"""argocd-load-balancer-wave: a chart does not wait on a LoadBalancer class a later wave provides."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_load_balancer_wave
from kit import assert_findings, line_with, mutate, set_wave


@pytest.fixture
def rendered(rendered_ingress_nginx: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """These checks are about ingress-nginx: the example environments switched to it."""
    return rendered_ingress_nginx


def _tailscale_load_balancer(values: Any) -> None:
    values["controller"]["service"] = {"type": "LoadBalancer", "loadBalancerClass": "tailscale"}


def test_load_balancer_wave_rule_flags_a_tailscale_lb_before_the_tailscale_operator(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = mutate(rendered["dev"], "values/ingress-nginx.yaml", _tailscale_load_balancer, doc=0)
    assert_findings(argocd_load_balancer_wave, tree, [
        ("values/ingress-nginx.yaml", line_with(tree, "values/ingress-nginx.yaml", "loadBalancerClass"))
    ])
    moved = mutate(tree, "apps/tailscale-operator.yaml", set_wave("-3"), doc=0)
    assert_findings(argocd_load_balancer_wave, moved, [])


def test_the_gateway_data_plane_as_a_tailscale_load_balancer_is_flagged_too(
        rendered_ngf: dict[str, RenderedTree]) -> None:
    values = "values/nginx-gateway-fabric.yaml"
    assert_findings(argocd_load_balancer_wave, rendered_ngf["dev"], [])
    tree = mutate(rendered_ngf["dev"], values, lambda v: v["nginx"].update(
        service={"type": "LoadBalancer", "loadBalancerClass": "tailscale"}), doc=0)
    assert_findings(argocd_load_balancer_wave, tree, [(values, line_with(tree, values, "loadBalancerClass"))])
