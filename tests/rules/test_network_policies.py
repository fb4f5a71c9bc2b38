"""network-policies: the app's namespace denies by default and only the edge reaches ingress-nginx."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import network_policies
from kit import assert_findings, line_with, mutate

POLICIES = "manifests/namespaces/network-policies.yaml"
API = "manifests/example-api/deployment.yaml"
CLOUDFLARED = "manifests/cloudflared/deployment.yaml"


def _named(docs: list[Any], name: str) -> dict[str, Any]:
    return next(d for d in docs if d["metadata"]["name"] == name)  # type: ignore[no-any-return]


def test_both_trees_deny_by_default_and_guard_the_controller(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(network_policies, rendered[env], [])


def test_the_data_namespace_needs_default_deny_both_ways(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], POLICIES, lambda d: _named(d, "default-deny")["spec"].update(
        policyTypes=["Ingress"]))
    pg = "manifests/data/postgres.yaml"
    found = assert_findings(network_policies, tree, [(pg, line_with(tree, pg, "namespace: example-prd"))])
    assert "egress" in found[0].message


def test_a_namespace_with_workloads_needs_default_deny_ingress(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], POLICIES, lambda d: d.remove(_named(d, "default-deny-ingress")))
    assert_findings(network_policies, tree, [(CLOUDFLARED, line_with(tree, CLOUDFLARED, "namespace: cloudflared"))])
    allowing = mutate(rendered["prd"], POLICIES, lambda d: _named(d, "default-deny-ingress")["spec"].update(
        ingress=[{}]))
    assert_findings(network_policies, allowing, [
        (CLOUDFLARED, line_with(allowing, CLOUDFLARED, "namespace: cloudflared"))])


def test_the_controller_accepts_http_only_from_the_edge(rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    rendered = rendered_ingress_nginx
    tree = mutate(rendered["prd"], POLICIES, lambda d: _named(d, "ingress-nginx-controller")["spec"]["ingress"][0]
                  .update({"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}))
    assert_findings(network_policies, tree, [(POLICIES, _after(tree, "name: ingress-nginx-controller", "- from:"))])
    gone = mutate(rendered["prd"], POLICIES, lambda d: d.remove(_named(d, "ingress-nginx-controller")))
    app = "apps/ingress-nginx.yaml"
    assert_findings(network_policies, gone, [(app, line_with(gone, app, "namespace: ingress-nginx"))])


def _after(tree: RenderedTree, start: str, needle: str, occurrence: int = 1) -> int:
    """The line of the `occurrence`-th `needle` after the line holding `start`."""
    lines = tree.files[POLICIES].text.splitlines()
    begin = next(i for i, line in enumerate(lines) if line.strip() == start)
    hits = [i + 1 for i, line in enumerate(lines) if i > begin and line.strip().startswith(needle)]
    return hits[occurrence - 1]


def test_the_ingress_nginx_webhook_is_closed_to_pods(rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(network_policies, rendered_ingress_nginx[env], [])
    tree = mutate(rendered_ingress_nginx["prd"], POLICIES,
                  lambda d: _named(d, "ingress-nginx-controller")["spec"]["ingress"][1].pop("from"))
    found = assert_findings(network_policies, tree, [(POLICIES, _after(tree, "name: ingress-nginx-controller",
                                                                       "- ports:"))])
    assert "admission webhook" in found[0].message


def test_the_gateway_data_plane_accepts_http_only_from_the_edge(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], POLICIES, lambda d: _named(d, "edge-nginx")["spec"]["ingress"][0].pop("from"))
    found = assert_findings(network_policies, tree, [(POLICIES, _after(tree, "name: edge-nginx", "- ports:"))])
    assert "NGINX data plane" in found[0].message
    gone = mutate(rendered["prd"], POLICIES, lambda d: d.remove(_named(d, "edge-nginx")))
    gateway = "manifests/gateway/gateway.yaml"
    assert_findings(network_policies, gone, [(gateway, line_with(gone, gateway, "name: edge"))])
