"""gateway-route-backends: every HTTPRoute backendRef resolves to a port of a rendered Service."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import gateway_route_backends
from kit import assert_findings, line_with, mutate

ROUTE = "manifests/example-api/httproute.yaml"


def _backend(docs: Any) -> dict[str, Any]:
    return docs[0]["spec"]["rules"][0]["backendRefs"][0]


def test_the_real_backends_resolve(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(gateway_route_backends, rendered[env], [])


def test_a_backend_port_that_does_not_exist_is_caught(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ROUTE, lambda d: _backend(d).update(port=8081))  # the management port
    found = assert_findings(gateway_route_backends, tree, [(ROUTE, line_with(tree, ROUTE, "port: 8081"))])
    assert "[8080]" in found[0].message
    tree = mutate(rendered["prd"], ROUTE, lambda d: _backend(d).pop("port"))
    assert_findings(gateway_route_backends, tree, [(ROUTE, line_with(tree, ROUTE, "- name: example-api"))])


def test_a_missing_service_or_another_namespace_is_caught(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ROUTE, lambda d: _backend(d).update(name="example-web"))
    assert_findings(gateway_route_backends, tree, [(ROUTE, line_with(tree, ROUTE, "name: example-web"))])
    tree = mutate(rendered["prd"], ROUTE, lambda d: _backend(d).update(namespace="example-dev"))
    assert_findings(gateway_route_backends, tree, [(ROUTE, line_with(tree, ROUTE, "namespace: example-dev"))])
