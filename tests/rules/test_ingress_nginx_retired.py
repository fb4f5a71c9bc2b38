"""ingress-nginx-retired: the retired ingress-nginx controller is flagged wherever it is installed."""

from __future__ import annotations

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import ingress_nginx_retired
from kit import assert_findings, line_with

APP = "apps/ingress-nginx.yaml"


def test_the_warning_appears_exactly_when_ingress_nginx_is_selected(
        rendered: dict[str, RenderedTree], rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(ingress_nginx_retired, rendered[env], [])
        tree = rendered_ingress_nginx[env]
        found = assert_findings(ingress_nginx_retired, tree, [(APP, line_with(tree, APP, "chart: ingress-nginx"))])
        assert found[0].severity is Severity.WARNING
        assert "retired upstream in March 2026" in found[0].message
        assert found[0].hint is not None and "ingress.controller: nginx-gateway-fabric" in found[0].hint
