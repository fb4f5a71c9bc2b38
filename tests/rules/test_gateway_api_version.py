"""gateway-api-version: NGINX Gateway Fabric runs on the Gateway API CRDs its release supports."""

from __future__ import annotations

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import gateway_api_version
from kit import assert_findings, line_with, mutate

CRDS = "apps/gateway-api-crds.yaml"
NGF = "apps/nginx-gateway-fabric.yaml"


def test_the_pinned_pair_is_supported(rendered: dict[str, RenderedTree],
                                      rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(gateway_api_version, rendered[env], [])
        assert_findings(gateway_api_version, rendered_ingress_nginx[env], [])  # no NGF, nothing to pair


def test_another_gateway_api_release_is_caught(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CRDS, lambda d: d[0]["spec"]["source"].update(targetRevision="v1.4.0"))
    found = assert_findings(gateway_api_version, tree, [(CRDS, line_with(tree, CRDS, "targetRevision: v1.4.0"))])
    assert "supports v1.5.1" in found[0].message and found[0].severity is Severity.ERROR


def test_an_unknown_ngf_release_or_missing_crds_are_warnings(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], NGF, lambda d: d[0]["spec"]["sources"][0].update(targetRevision="9.9.9"))
    found = assert_findings(gateway_api_version, tree, [(NGF, line_with(tree, NGF, "targetRevision: \"9.9.9\""))])
    assert found[0].severity is Severity.WARNING
    tree = mutate(rendered["prd"], CRDS, lambda d: d[0]["spec"]["source"].update(
        repoURL="https://github.com/example-org/crds.git"))
    found = assert_findings(gateway_api_version, tree, [(NGF, line_with(tree, NGF, "chart: nginx-gateway-fabric"))])
    assert found[0].severity is Severity.WARNING
