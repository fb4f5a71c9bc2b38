"""argocd-destination: every Application is complete and lives where Argo CD looks (DOMAIN X30)."""

from __future__ import annotations

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_destination
from kit import apps, assert_findings, line_with, mutate


def test_destination_rule_refuses_both_server_and_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], "apps/data.yaml",
                  lambda a: a["spec"]["destination"].update(server="https://kubernetes.default.svc"), doc=0)
    problems = assert_findings(argocd_destination, tree, [
        ("apps/data.yaml", line_with(tree, "apps/data.yaml", "destination:"))
    ])
    assert "server and name" in problems[0].message


def test_destination_rule_wants_a_namespace_and_a_project(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(
        rendered["dev"],
        "apps/secrets.yaml",
        lambda a: (a["spec"]["destination"].pop("namespace"), a["spec"].pop("project")), doc=0)
    assert_findings(argocd_destination, tree, sorted(
        [
            ("apps/secrets.yaml", line_with(tree, "apps/secrets.yaml", "destination:")),
            ("apps/secrets.yaml", line_with(tree, "apps/secrets.yaml", "spec:")),
        ]
    ))


def test_destination_rule_wants_the_finalizer_on_children_only(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], "apps/cloudflared.yaml", lambda a: a["metadata"].pop("finalizers"), doc=0)
    problems = assert_findings(argocd_destination, tree, [
        ("apps/cloudflared.yaml", line_with(tree, "apps/cloudflared.yaml", "metadata:"))
    ])
    assert "finalizer" in problems[0].message
    # the root has none on purpose and is not a child of anything in the tree
    assert "finalizers" not in apps(rendered["prd"])["root"].data["metadata"]


def test_the_finalizer_is_domain_qualified_and_the_bare_name_is_a_warning(rendered: dict[str, RenderedTree]) -> None:
    for tree in rendered.values():
        for name, app in apps(tree).items():
            if name != "root":
                assert app.data["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io/foreground"]
    bare = "resources-finalizer.argocd.argoproj.io"
    tree = mutate(rendered["prd"], "apps/data.yaml", lambda a: a["metadata"].update(finalizers=[bare]), doc=0)
    [problem] = assert_findings(argocd_destination, tree, [
        ("apps/data.yaml", line_with(tree, "apps/data.yaml", f"- {bare}"))])
    assert problem.severity == Severity.WARNING and "domain-qualified" in problem.message
    background = mutate(rendered["prd"], "apps/data.yaml",
                        lambda a: a["metadata"].update(finalizers=[bare + "/background"]), doc=0)
    assert_findings(argocd_destination, background, [])


def test_destination_rule_keeps_children_in_the_namespace_of_their_parent(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], "apps/reloader.yaml", lambda a: a["metadata"].update(namespace="argocd-apps"), doc=0)
    assert_findings(argocd_destination, tree, [
        ("apps/reloader.yaml", line_with(tree, "apps/reloader.yaml", "namespace: argocd-apps"))
    ])
