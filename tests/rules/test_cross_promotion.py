"""cross-promotion: production does not follow the moving Git ref a development environment follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_promotion
from kit import apps, assert_cross_findings, line_with, mutate, replace_sources_revision

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_production_and_development_follow_different_refs(rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    assert load(repo_root, "dev").model.argocd.target_revision is None  # the tier decides
    revisions = {env: {s.get("targetRevision") for app in apps(tree).values()
                       for s in app.data["spec"].get("sources", [app.data["spec"].get("source")])
                       if "chart" not in s and "gateway-api" not in s["repoURL"]}
                 for env, tree in rendered.items()}
    assert revisions == {"dev": {"main"}, "prd": {"production"}}
    assert_cross_findings(cross_promotion, [rendered["dev"], rendered["prd"]], [])


def test_production_on_main_is_one_finding_naming_development(rendered: dict[str, RenderedTree]) -> None:
    prd = replace_sources_revision(rendered["prd"], "main")
    found = assert_cross_findings(cross_promotion, [rendered["dev"], prd], [
        ("rendered/prd/apps/cert-manager.yaml", line_with(prd, "apps/cert-manager.yaml", "targetRevision: main"))])
    assert "rendered/dev/apps/" in found[0].message and "promotion" in found[0].message


def test_a_pinned_commit_may_be_shared(rendered: dict[str, RenderedTree]) -> None:
    dev = replace_sources_revision(rendered["dev"], SHA)
    prd = replace_sources_revision(rendered["prd"], SHA)
    assert_cross_findings(cross_promotion, [dev, prd], [])


def test_two_development_environments_may_share_main(rendered: dict[str, RenderedTree]) -> None:
    def development(docs: list[Any]) -> None:
        docs[0]["metadata"]["labels"]["gitopsgen.io/tier"] = "development"

    prd_as_dev = mutate(replace_sources_revision(rendered["prd"], "main"), "apps/project.yaml", development)
    assert_cross_findings(cross_promotion, [rendered["dev"], prd_as_dev], [])


def test_an_upstream_repository_at_its_release_tag_is_pinned_not_promoted(rendered: dict[str, RenderedTree]) -> None:
    """The Gateway API CRDs come from their repository at the release tag in both environments."""
    tags = {env: {s["targetRevision"] for app in apps(tree).values()
                  for s in app.data["spec"].get("sources", [app.data["spec"].get("source")])
                  if "gateway-api" in s.get("repoURL", "")} for env, tree in rendered.items()}
    assert tags["dev"] == tags["prd"] == {"v1.5.1"}
    assert_cross_findings(cross_promotion, [rendered["dev"], rendered["prd"]], [])
