"""argocd-delete-protection: no sync or cascade deletes production data."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_delete_protection
from kit import assert_findings, line_with, mutate

PG = "manifests/data/postgres.yaml"
REDIS = "manifests/data/redis.yaml"
BACKUP = "manifests/data/backup.yaml"
NAMESPACES = "manifests/namespaces/namespaces.yaml"
PROJECT = "apps/project.yaml"
OPTIONS = "argocd.argoproj.io/sync-options"


def test_production_data_is_protected_and_development_data_need_not_be(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(argocd_delete_protection, rendered["prd"], [])
    assert_findings(argocd_delete_protection, rendered["dev"], [])


def test_a_production_cluster_needs_prune_and_delete_false(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["metadata"]["annotations"].update({OPTIONS: "Delete=false"}))
    found = assert_findings(argocd_delete_protection, tree, [(PG, line_with(tree, PG, OPTIONS))])
    assert "without Prune=false" in found[0].message


def test_production_redis_and_object_store_need_delete_false(rendered: dict[str, RenderedTree]) -> None:
    def strip(docs: list[Any]) -> None:
        for doc in docs:
            doc["metadata"].pop("annotations")

    tree = mutate(rendered["prd"], REDIS, strip)
    tree = mutate(tree, BACKUP, lambda d: d[0]["metadata"]["annotations"].pop(OPTIONS))
    assert_findings(argocd_delete_protection, tree, [
        (REDIS, line_with(tree, REDIS, "metadata:", 1)), (REDIS, line_with(tree, REDIS, "metadata:", 2)),
        (BACKUP, line_with(tree, BACKUP, "metadata:"))])


def test_a_namespace_holding_data_is_protected_too(rendered: dict[str, RenderedTree]) -> None:
    index = next(i for i, d in enumerate(rendered["prd"].files[NAMESPACES].documents)
                 if d.data["metadata"]["name"] == "example-prd")
    tree = mutate(rendered["prd"], NAMESPACES, lambda d: d[index]["metadata"].pop("annotations"))
    found = assert_findings(argocd_delete_protection, tree, [(NAMESPACES, line_with(tree, NAMESPACES, "metadata:",
                                                                                    index + 1))])
    assert "holds stateful resources" in found[0].message


def test_only_production_trees_are_held_to_it(rendered: dict[str, RenderedTree]) -> None:
    unprotected = mutate(rendered["prd"], PG, lambda d: d[0]["metadata"]["annotations"].pop(OPTIONS))
    assert_findings(argocd_delete_protection, unprotected, [(PG, line_with(unprotected, PG, "metadata:"))])
    development = mutate(unprotected, PROJECT, lambda d: d[0]["metadata"]["labels"].update(
        {"gitopsgen.io/tier": "development"}))
    assert_findings(argocd_delete_protection, development, [])
