"""edge-tailscale: the tailnet edge stays private and names the host it exposes (DOMAIN X27)."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import edge_tailscale
from kit import assert_findings, findings, line_with, mutate, places, with_file


@pytest.fixture
def rendered(rendered_ingress_nginx: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """These checks are about ingress-nginx: the example environments switched to it."""
    return rendered_ingress_nginx

CONFIG = "config/cloudflared/config.yaml"


ING = "manifests/example-api/ingress.yaml"


ALPHA = "external-dns.alpha.kubernetes.io/"


def _tailscale_values(hostname: str) -> dict[str, Any]:
    return {"controller": {"service": {"type": "LoadBalancer", "loadBalancerClass": "tailscale",
                                       "annotations": {"tailscale.com/hostname": hostname}}}}


def test_dev_ingress_host_must_be_the_tailscale_hostname(rendered: dict[str, RenderedTree]) -> None:
    good = with_file(rendered["dev"], "values/ingress-nginx.yaml", [_tailscale_values("example-api-dev")])
    assert_findings(edge_tailscale, good, [])
    other = with_file(rendered["dev"], "values/ingress-nginx.yaml", [_tailscale_values("api-dev")])
    assert_findings(edge_tailscale, other, [(ING, line_with(other, ING, "host:"))])


def test_tailscale_hostname_must_be_a_dns_label(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["dev"], "values/ingress-nginx.yaml", [_tailscale_values("Example_API")])
    found = findings(edge_tailscale, tree)
    values_line = line_with(tree, "values/ingress-nginx.yaml", "tailscale.com/hostname")
    assert ("values/ingress-nginx.yaml", values_line) in places(found)


def test_dev_must_not_publish_dns_or_run_a_tunnel(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], ING, lambda d: d[0]["metadata"].update(annotations={ALPHA + "target": "x.example"}))
    tree = with_file(tree, CONFIG, [{"tunnel": "t", "ingress": [{"service": "http_status:404"}]}])
    assert_findings(edge_tailscale, tree, [
        (CONFIG, 1),
        (ING, line_with(tree, ING, "target: x.example")),
    ])


def test_dev_route_host_must_be_the_tailnet_name_of_an_exposed_gateway(
        rendered_ngf: dict[str, RenderedTree]) -> None:
    route, gateway = "manifests/example-api/httproute.yaml", "manifests/gateway/gateway.yaml"
    dev = rendered_ngf["dev"]
    assert_findings(edge_tailscale, dev, [])
    assert_findings(edge_tailscale, rendered_ngf["prd"], [])
    renamed_host = mutate(dev, route, lambda d: d[0]["spec"].update(hostnames=["api.example-api-dev.ts.net"]))
    assert_findings(edge_tailscale, renamed_host, [(route, line_with(renamed_host, route, "- api.example-api"))])
    hidden = mutate(dev, gateway, lambda d: d[0]["spec"]["infrastructure"]["annotations"].pop("tailscale.com/expose"))
    found = assert_findings(edge_tailscale, hidden, [(route, line_with(hidden, route, ".ts.net"))])
    assert "reachable from nowhere" in found[0].message
    bad = mutate(dev, gateway, lambda d: d[0]["spec"]["infrastructure"]["annotations"].update(
        {"tailscale.com/hostname": "Example_API"}))
    assert (gateway, line_with(bad, gateway, "tailscale.com/hostname: Example_API")) in places(
        findings(edge_tailscale, bad))
