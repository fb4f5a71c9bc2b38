"""edge-tunnel-routes: the tunnel routes exactly the public Ingress hosts to ingress-nginx (DOMAIN X21, X22)."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import edge_tunnel_routes
from kit import assert_findings, line_with, mutate, with_file


@pytest.fixture
def rendered(rendered_ingress_nginx: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """These checks are about ingress-nginx: the example environments switched to it."""
    return rendered_ingress_nginx

CONFIG = "config/cloudflared/config.yaml"


ING = "manifests/example-api/ingress.yaml"


def _chart_app(name: str, chart: str, namespace: str, release: str | None = None) -> dict[str, Any]:
    helm: dict[str, Any] = {"valueFiles": [f"$values/rendered/prd/values/{chart}.yaml"]}
    if release:
        helm["releaseName"] = release
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"project": "default",
                     "sources": [{"repoURL": "https://charts.example.invalid", "chart": chart,
                                  "targetRevision": "1.0.0", "helm": helm},
                                 {"repoURL": "https://example.invalid/repo.git", "ref": "values"}],
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}}}


def test_ingress_host_without_tunnel_rule_and_dead_rule_are_both_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["spec"]["rules"][0].update(host="www.example.com"))
    assert_findings(edge_tunnel_routes, tree, [
        (ING, line_with(tree, ING, "host: www.example.com")),
        (CONFIG, line_with(tree, CONFIG, "hostname: api.example.com")),
    ])


def test_wildcard_tunnel_rule_covers_subdomain_hosts(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CONFIG, lambda d: d[0]["ingress"][0].update(hostname="*.example.com"))
    assert_findings(edge_tunnel_routes, tree, [])


def test_tunnel_service_must_be_the_ingress_nginx_controller(rendered: dict[str, RenderedTree]) -> None:
    renamed = with_file(rendered["prd"], "apps/ingress-nginx.yaml",
                        [_chart_app("ingress-nginx", "ingress-nginx", "ingress-nginx", release="edge")])
    found = assert_findings(edge_tunnel_routes, renamed, [(CONFIG, line_with(renamed, CONFIG, "service: http://"))])
    assert "edge-ingress-nginx-controller.ingress-nginx.svc.cluster.local:80" in found[0].message
    default = with_file(rendered["prd"], "apps/ingress-nginx.yaml",
                        [_chart_app("ingress-nginx", "ingress-nginx", "ingress-nginx")])
    assert_findings(edge_tunnel_routes, default, [])


def test_ingress_hosts_must_lie_under_the_domain_filters(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["prd"], "values/external-dns.yaml", [{"domainFilters": ["example.org"]}])
    assert_findings(edge_tunnel_routes, tree, [(ING, line_with(tree, ING, "host:"))])
    inside = with_file(rendered["prd"], "values/external-dns.yaml", [{"domainFilters": ["example.com"]}])
    assert_findings(edge_tunnel_routes, inside, [])


ROUTE = "manifests/example-api/httproute.yaml"


def test_route_hosts_and_tunnel_rules_match_on_the_gateway_edge(rendered_ngf: dict[str, RenderedTree]) -> None:
    prd = rendered_ngf["prd"]
    assert_findings(edge_tunnel_routes, prd, [])
    tree = mutate(prd, ROUTE, lambda d: d[0]["spec"].update(hostnames=["shop.example.com"]))
    found = assert_findings(edge_tunnel_routes, tree, [(ROUTE, line_with(tree, ROUTE, "- shop.example.com")),
                                                       (CONFIG, line_with(tree, CONFIG, "hostname: api.example.com"))])
    messages = sorted(p.message for p in found)
    assert messages[0].startswith("host 'shop.example.com' has no cloudflared ingress rule")
    assert messages[1].startswith("rule for 'api.example.com' matches no Ingress or HTTPRoute host (dead rule)")


def test_tunnel_service_must_be_the_gateway_data_plane(rendered_ngf: dict[str, RenderedTree]) -> None:
    wrong = "http://ingress-nginx-controller.ingress-nginx.svc.cluster.local:80"
    tree = mutate(rendered_ngf["prd"], CONFIG, lambda d: d[0]["ingress"][0].update(service=wrong))
    found = assert_findings(edge_tunnel_routes, tree, [(CONFIG, line_with(tree, CONFIG, wrong))])
    assert "http://edge-nginx.nginx-gateway.svc.cluster.local:80" in found[0].message
