"""argocd-reloader: Reloader restarts every workload, without fighting Argo CD (DOMAIN X33, §4)."""

from __future__ import annotations

from gitopsgen.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_reloader
from kit import assert_findings, line_with, mutate


def test_reloader_rule_points_at_auto_reload_all(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], "values/reloader.yaml", lambda v: v["reloader"].update(autoReloadAll=False), doc=0)
    assert_findings(argocd_reloader, tree, [
        ("values/reloader.yaml", line_with(tree, "values/reloader.yaml", "autoReloadAll"))
    ])


def test_reloader_rule_wants_annotations_strategy_while_apps_self_heal(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], "values/reloader.yaml", lambda v: v["reloader"].pop("reloadStrategy"), doc=0)
    problems = assert_findings(argocd_reloader, tree, [
        ("values/reloader.yaml", line_with(tree, "values/reloader.yaml", "reloader:"))
    ])
    assert "env-vars" in problems[0].message


def test_reloader_rule_allows_env_vars_when_nothing_self_heals(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], "values/reloader.yaml", lambda v: v["reloader"].update(reloadStrategy="env-vars"),
                  doc=0)
    for path in [p for p in tree.files if p.startswith(("apps/", "bootstrap/"))]:
        tree = mutate(tree, path, lambda a: a["spec"]["syncPolicy"]["automated"].update(selfHeal=False), doc=0)
    assert_findings(argocd_reloader, tree, [])
