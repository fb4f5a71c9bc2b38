"""edge-dns-annotations: public Ingresses and HTTPRoutes point External-DNS at the tunnel, proxied (DOMAIN X23)."""

from __future__ import annotations

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import edge_dns_annotations
from kit import assert_findings, line_with, mutate, with_file


@pytest.fixture
def rendered(rendered_ingress_nginx: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """These checks are about ingress-nginx: the example environments switched to it."""
    return rendered_ingress_nginx

ING = "manifests/example-api/ingress.yaml"


ALPHA = "external-dns.alpha.kubernetes.io/"


def test_public_ingress_must_be_proxied(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["metadata"]["annotations"]
                  .update({ALPHA + "cloudflare-proxied": "false"}))
    assert_findings(edge_dns_annotations, tree, [
        (ING, line_with(tree, ING, "cloudflare-proxied"))])


def test_public_ingress_target_must_be_the_tunnel(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["metadata"]["annotations"]
                  .update({ALPHA + "target": "lb.example.com"}))
    assert_findings(edge_dns_annotations, tree, [
        (ING, line_with(tree, ING, "target: lb.example.com"))])


def test_annotation_prefix_must_match_the_external_dns_values(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["prd"], "values/external-dns.yaml",
                     [{"annotationPrefix": "external-dns.kubernetes.io/"}])
    found = assert_findings(edge_dns_annotations, tree, [(ING, line_with(tree, ING, "metadata:"))])
    assert "external-dns.kubernetes.io/target" in found[0].message


ROUTE = "manifests/example-api/httproute.yaml"
GATEWAY = "manifests/gateway/gateway.yaml"


def test_the_gateway_carries_the_tunnel_target_and_the_route_is_proxied(
        rendered_ngf: dict[str, RenderedTree]) -> None:
    prd = rendered_ngf["prd"]
    assert_findings(edge_dns_annotations, prd, [])
    wrong = mutate(prd, GATEWAY, lambda d: d[0]["metadata"]["annotations"].update(
        {f"{ALPHA}target": "ingress.example.com"}))
    assert_findings(edge_dns_annotations, wrong, [(GATEWAY, line_with(wrong, GATEWAY, "ingress.example.com"))])
    bare = mutate(prd, GATEWAY, lambda d: d[0]["metadata"].pop("annotations"))
    assert_findings(edge_dns_annotations, bare, [(GATEWAY, line_with(bare, GATEWAY, "metadata:"))])
    unproxied = mutate(prd, ROUTE, lambda d: d[0]["metadata"]["annotations"].update(
        {f"{ALPHA}cloudflare-proxied": "false"}))
    assert_findings(edge_dns_annotations, unproxied,
                    [(ROUTE, line_with(unproxied, ROUTE, "cloudflare-proxied"))])
