"""argocd-server-side-apply: operators with large CRDs are installed with server-side apply (DOMAIN X28)."""

from __future__ import annotations

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_server_side_apply
from kit import assert_findings, line_with, mutate


@pytest.mark.parametrize("chart", ["cloudnative-pg", "external-secrets", "redis-operator", "cert-manager"])
def test_server_side_apply_rule_points_at_sync_options_of_the_operator(
    rendered: dict[str, RenderedTree], chart: str
) -> None:
    path = f"apps/{chart}.yaml"
    tree = mutate(rendered["prd"], path,
                  lambda a: a["spec"]["syncPolicy"]["syncOptions"].remove("ServerSideApply=true"), doc=0)
    problems = assert_findings(argocd_server_side_apply, tree, [
        (path, line_with(tree, path, "syncOptions:"))
    ])
    assert chart in problems[0].message


def test_server_side_apply_is_not_demanded_of_small_charts(rendered: dict[str, RenderedTree]) -> None:
    assert "syncOptions" not in rendered["dev"].files["apps/reloader.yaml"].documents[0].data["spec"]["syncPolicy"]
    tree = mutate(rendered["prd"], "apps/plugin-barman-cloud.yaml",
                  lambda a: a["spec"]["syncPolicy"].pop("syncOptions", None), doc=0)
    assert_findings(argocd_server_side_apply, tree, [])
