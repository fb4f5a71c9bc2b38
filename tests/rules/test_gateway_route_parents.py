"""gateway-route-parents: every HTTPRoute attaches to a rendered Gateway through a listener that accepts it."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import gateway_route_parents
from kit import assert_findings, line_with, mutate

ROUTE = "manifests/example-api/httproute.yaml"
GATEWAY = "manifests/gateway/gateway.yaml"


def _parent(docs: Any) -> dict[str, Any]:
    return docs[0]["spec"]["parentRefs"][0]


def test_the_real_routes_attach(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(gateway_route_parents, rendered[env], [])


def test_a_route_to_a_missing_gateway_is_caught(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ROUTE, lambda d: _parent(d).update(name="edge-old"))
    found = assert_findings(gateway_route_parents, tree, [(ROUTE, line_with(tree, ROUTE, "name: edge-old"))])
    assert "nginx-gateway/edge-old is not rendered" in found[0].message
    # the route's own namespace is the default: the Gateway lives elsewhere
    tree = mutate(rendered["prd"], ROUTE, lambda d: _parent(d).pop("namespace"))
    assert_findings(gateway_route_parents, tree, [(ROUTE, line_with(tree, ROUTE, "name: edge"))])


def test_a_missing_section_is_caught(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ROUTE, lambda d: _parent(d).update(sectionName="https"))
    assert_findings(gateway_route_parents, tree, [(ROUTE, line_with(tree, ROUTE, "sectionName: https"))])


def test_a_listener_that_refuses_the_namespace_is_caught(rendered: dict[str, RenderedTree]) -> None:
    def same(docs: Any) -> None:
        docs[0]["spec"]["listeners"][0]["allowedRoutes"]["namespaces"] = {"from": "Same"}

    tree = mutate(rendered["prd"], GATEWAY, same)
    found = assert_findings(gateway_route_parents, tree, [(ROUTE, line_with(tree, ROUTE, "- group:"))])
    assert "from namespace 'example-prd'" in found[0].message
    tree = mutate(rendered["prd"], GATEWAY, lambda d: d[0]["spec"]["listeners"][0]["allowedRoutes"].update(
        kinds=[{"kind": "GRPCRoute"}]))
    assert_findings(gateway_route_parents, tree, [(ROUTE, line_with(tree, ROUTE, "- group:"))])


def test_a_hostname_no_listener_takes_is_caught(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ROUTE, lambda d: d[0]["spec"].update(hostnames=["api.example.com",
                                                                                 "shop.example.com"]))
    assert_findings(gateway_route_parents, tree, [(ROUTE, line_with(tree, ROUTE, "- shop.example.com"))])
    wildcard = mutate(tree, GATEWAY, lambda d: d[0]["spec"]["listeners"][0].update(hostname="*.example.com"))
    assert_findings(gateway_route_parents, wildcard, [])
