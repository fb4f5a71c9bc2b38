"""argocd-load-balancer-wave: a chart does not wait on a LoadBalancer class a later wave provides."""

from __future__ import annotations

from typing import Any

from gitopsgen.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_load_balancer_wave
from kit import WAVE, assert_findings, line_with, mutate


def _set_wave(wave: str) -> Any:
    def change(app: Any) -> None:
        app["metadata"]["annotations"][WAVE] = wave

    return change


def _tailscale_load_balancer(values: Any) -> None:
    values["controller"]["service"] = {"type": "LoadBalancer", "loadBalancerClass": "tailscale"}


def test_load_balancer_wave_rule_flags_a_tailscale_lb_before_the_tailscale_operator(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = mutate(rendered["dev"], "values/ingress-nginx.yaml", _tailscale_load_balancer, doc=0)
    assert_findings(argocd_load_balancer_wave, tree, [
        ("values/ingress-nginx.yaml", line_with(tree, "values/ingress-nginx.yaml", "loadBalancerClass"))
    ])
    moved = mutate(tree, "apps/tailscale-operator.yaml", _set_wave("-3"), doc=0)
    assert_findings(argocd_load_balancer_wave, moved, [])
