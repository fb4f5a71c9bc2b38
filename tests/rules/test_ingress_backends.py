"""ingress-backends: Ingresses reach a rendered Service through the right IngressClass (DOMAIN X26)."""

from __future__ import annotations

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import ingress_backends
from kit import assert_findings, line_with, mutate, with_file


@pytest.fixture
def rendered(rendered_ingress_nginx: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """These checks are about ingress-nginx: the example environments switched to it."""
    return rendered_ingress_nginx

ING = "manifests/example-api/ingress.yaml"


def test_ingress_backend_port_must_exist_on_the_service(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], ING, lambda d: d[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
                  .update(port={"name": "web"}))
    found = assert_findings(ingress_backends, tree, [(ING, line_with(tree, ING, "port:"))])
    assert found[0].hint == "its ports: http/8080"


def test_ingress_backend_service_must_be_rendered(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
                  .update(name="api"))
    assert_findings(ingress_backends, tree, [(ING, line_with(tree, ING, "name: api"))])


def test_ingress_class_must_be_the_one_ingress_nginx_serves(rendered: dict[str, RenderedTree]) -> None:
    values = {"controller": {"ingressClassResource": {"name": "nginx-public"}}}
    tree = with_file(rendered["prd"], "values/ingress-nginx.yaml", [values])
    assert_findings(ingress_backends, tree, [(ING, line_with(tree, ING, "ingressClassName:"))])
