"""argocd-release-name: every Helm source names its release."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_release_name
from kit import apps, assert_findings, line_with, mutate


def test_every_chart_of_both_environments_names_its_release(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(argocd_release_name, rendered[env], [])
    source = apps(rendered["prd"])["nginx-gateway-fabric"].data["spec"]["sources"][0]
    assert source["helm"]["releaseName"] == "nginx-gateway-fabric"  # not prd-nginx-gateway-fabric


def test_a_chart_without_release_name_is_flagged_at_its_helm_block(rendered: dict[str, RenderedTree]) -> None:
    path = "apps/nginx-gateway-fabric.yaml"
    tree = mutate(rendered["prd"], path, lambda a: a["spec"]["sources"][0]["helm"].pop("releaseName"), doc=0)
    found = assert_findings(argocd_release_name, tree, [(path, line_with(tree, path, "helm:"))])
    assert "prd-nginx-gateway-fabric" in found[0].message
    no_helm = mutate(rendered["prd"], path, lambda a: a["spec"]["sources"][0].pop("helm"), doc=0)
    assert_findings(argocd_release_name, no_helm, [(path, line_with(no_helm, path, "- repoURL:"))])
