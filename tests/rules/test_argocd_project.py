"""argocd-project: every Application is confined by its environment's AppProject."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_project
from kit import WAVE, assert_findings, line_with, mutate, with_file

PROJECT = "apps/project.yaml"
DATA = "apps/data.yaml"


def _spec(docs: list[Any]) -> dict[str, Any]:
    return docs[0]["spec"]  # type: ignore[no-any-return]


def test_both_trees_keep_every_application_inside_its_project(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(argocd_project, rendered[env], [])


def test_the_default_project_is_refused(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], DATA, lambda a: a["spec"].update(project="default"), doc=0)
    assert_findings(argocd_project, tree, [(DATA, line_with(tree, DATA, "project: default"))])


def test_a_project_the_tree_does_not_render_is_a_warning(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], DATA, lambda a: a["spec"].update(project="platform"), doc=0)
    found = assert_findings(argocd_project, tree, [(DATA, line_with(tree, DATA, "project: platform"))])
    assert found[0].severity == Severity.WARNING


def test_the_root_needs_a_project_of_its_own(rendered: dict[str, RenderedTree]) -> None:
    root = "bootstrap/root.yaml"
    tree = mutate(rendered["prd"], root, lambda a: a["spec"].update(project="prd"), doc=0)
    problems = assert_findings(argocd_project, tree, [
        (root, line_with(tree, root, "project: prd")), (root, line_with(tree, root, "destination:"))])
    assert any("shares project" in p.message for p in problems)


def test_repositories_and_destinations_outside_the_project_are_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PROJECT, lambda d: _spec(d)["sourceRepos"].remove("https://charts.jetstack.io"))
    app = "apps/cert-manager.yaml"
    assert_findings(argocd_project, tree, [(app, line_with(tree, app, "repoURL: https://charts.jetstack.io"))])
    elsewhere = mutate(rendered["prd"], DATA, lambda a: a["spec"]["destination"].update(namespace="kube-system"),
                       doc=0)
    assert_findings(argocd_project, elsewhere, [(DATA, line_with(elsewhere, DATA, "destination:"))])


def test_cluster_scoped_kinds_must_be_whitelisted_by_kind_and_name(rendered: dict[str, RenderedTree]) -> None:
    def drop(kind: str) -> Any:
        def change(docs: list[Any]) -> None:
            _spec(docs)["clusterResourceWhitelist"] = [
                e for e in _spec(docs)["clusterResourceWhitelist"] if e["kind"] != kind]
        return change

    tree = mutate(rendered["prd"], PROJECT, drop("ClusterSecretStore"))
    store = "manifests/secret-store/cluster-secret-store.yaml"
    assert_findings(argocd_project, tree, [(store, line_with(tree, store, "name: doppler"))])
    crds = mutate(rendered["prd"], PROJECT, drop("CustomResourceDefinition"))
    charts = ["cloudnative-pg", "redis-operator", "external-secrets", "cert-manager", "plugin-barman-cloud",
              "nginx-gateway-fabric"]
    assert_findings(argocd_project, crds, [(f"apps/{c}.yaml", line_with(crds, f"apps/{c}.yaml", "chart:"))
                                           for c in charts])
    kube_system = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}
    extra = with_file(rendered["prd"], "manifests/namespaces/extra.yaml", [kube_system])
    assert_findings(argocd_project, extra, [("manifests/namespaces/extra.yaml", 4)])


def test_the_project_syncs_before_the_applications_using_it(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PROJECT, lambda d: d[0]["metadata"]["annotations"].update({WAVE: "-4"}))
    problems = assert_findings(argocd_project, tree, [(PROJECT, line_with(tree, PROJECT, "metadata:"))] * 3)
    # the namespaces (wave -5), cert-manager and the Gateway API CRDs (wave -4) would find no project yet
    assert sorted(p.message.split("Application ")[1].split(" ")[0] for p in problems) == [
        "prd-cert-manager", "prd-gateway-api-crds", "prd-namespaces"]
