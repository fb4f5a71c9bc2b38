"""cross-argocd-names: no two environments define the same Argo CD object."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_argocd_names
from kit import assert_cross_findings, line_with, mutate


def test_environment_prefixed_names_never_collide(rendered: dict[str, RenderedTree]) -> None:
    assert_cross_findings(cross_argocd_names, [rendered["dev"], rendered["prd"]], [])


def test_an_application_named_like_another_environments_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    path = "apps/data.yaml"
    prd = mutate(rendered["prd"], path, lambda a: a["metadata"].update(name="dev-data"), doc=0)
    found = assert_cross_findings(cross_argocd_names, [rendered["dev"], prd],
                                  [(f"rendered/prd/{path}", line_with(prd, path, "name: dev-data"))])
    assert f"rendered/dev/{path}:{line_with(rendered['dev'], path, 'name: dev-data')}" in found[0].message
    # another Argo CD namespace is another Argo CD
    elsewhere = mutate(prd, path, lambda a: a["metadata"].update(namespace="argocd-prd"), doc=0)
    assert_cross_findings(cross_argocd_names, [rendered["dev"], elsewhere], [])


def test_app_projects_count_too(rendered: dict[str, RenderedTree]) -> None:
    path = "apps/project.yaml"
    prd = mutate(rendered["prd"], path, lambda p: p["metadata"].update(name="dev"), doc=0)
    assert_cross_findings(cross_argocd_names, [rendered["dev"], prd],
                          [(f"rendered/prd/{path}", line_with(prd, path, "name: dev"))])
