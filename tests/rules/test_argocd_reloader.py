"""argocd-reloader: Reloader restarts every workload, without fighting Argo CD (DOMAIN X33, §4)."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_reloader
from kit import assert_findings, line_with, mutate

VALUES = "values/reloader.yaml"
CLOUDFLARED = "manifests/cloudflared/deployment.yaml"


def test_reloader_rule_points_at_auto_reload_all(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: v["reloader"].update(autoReloadAll=False), doc=0)
    assert_findings(argocd_reloader, tree, [(VALUES, line_with(tree, VALUES, "autoReloadAll"))])


def test_reloader_rule_wants_annotations_strategy_while_apps_self_heal(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], VALUES, lambda v: v["reloader"].pop("reloadStrategy"), doc=0)
    problems = assert_findings(argocd_reloader, tree, [(VALUES, line_with(tree, VALUES, "reloader:"))])
    assert "env-vars" in problems[0].message


def test_reloader_rule_allows_env_vars_when_nothing_self_heals(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], VALUES, lambda v: v["reloader"].update(reloadStrategy="env-vars"), doc=0)
    for path in [p for p in tree.files if p.startswith(("apps/", "bootstrap/"))]:
        if tree.files[path].documents[0].data["kind"] == "Application":
            tree = mutate(tree, path, lambda a: a["spec"]["syncPolicy"]["automated"].update(selfHeal=False), doc=0)
    assert_findings(argocd_reloader, tree, [])


def test_reloader_rule_refuses_a_reloader_that_watches_every_namespace(rendered: dict[str, RenderedTree]) -> None:
    def unscoped(values: Any) -> None:
        values["reloader"].pop("namespaces")
        values["reloader"].pop("watchGlobally")

    tree = mutate(rendered["prd"], VALUES, unscoped, doc=0)
    problems = assert_findings(argocd_reloader, tree, [(VALUES, line_with(tree, VALUES, "reloader:"))])
    assert "kube-system" in problems[0].message
    ignoring = mutate(tree, VALUES, lambda v: v["reloader"].update(ignoreNamespaces="kube-system,argocd"), doc=0)
    assert_findings(argocd_reloader, ignoring, [])


def test_reloader_rule_warns_when_a_namespace_with_delivered_secrets_is_not_watched(
        rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda v: v["reloader"]["namespaces"].remove("example-prd"), doc=0)
    problems = assert_findings(argocd_reloader, tree, [(VALUES, line_with(tree, VALUES, "namespaces:"))])
    assert problems[0].severity == Severity.WARNING
    assert "Deployment example-prd/example-api" in problems[0].message


def test_reloader_rule_keeps_a_self_rolling_deployment_from_rolling_twice(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CLOUDFLARED, lambda d: d[0]["metadata"].pop("annotations"))
    problems = assert_findings(argocd_reloader, tree, [(CLOUDFLARED, line_with(tree, CLOUDFLARED, "metadata:"))])
    assert "'cloudflared'" in problems[0].message
    opted_out = mutate(tree, CLOUDFLARED, lambda d: d[0]["metadata"].update(
        annotations={"reloader.stakater.com/auto": "false"}))
    assert_findings(argocd_reloader, opted_out, [])
