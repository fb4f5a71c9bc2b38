"""argocd-prune-safety: in production, no pruned Application deletes credentials or the CRDs of data objects."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import prune
from gitopsgen.validate.rules import argocd_prune_safety
from kit import apps, assert_findings, line_with, mutate, without_file

SECRETS = "manifests/secrets"
REDIS_AUTH = f"{SECRETS}/redis-auth.yaml"
BACKUP_CREDENTIALS = f"{SECRETS}/database-backup.yaml"
ESO_VALUES = "values/external-secrets.yaml"
CNPG_VALUES = "values/cloudnative-pg.yaml"
NAMESPACES = "manifests/namespaces/namespaces.yaml"
OPTIONS = "argocd.argoproj.io/sync-options"


def owner(docs: list[Any]) -> None:
    docs[0]["spec"]["target"]["creationPolicy"] = "Owner"


def test_production_closes_every_path_and_development_is_not_held_to_it(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(argocd_prune_safety, rendered["prd"], [])
    assert_findings(argocd_prune_safety, rendered["dev"], [])


def test_pruning_any_production_application_deletes_no_data_object_or_credential(
        rendered: dict[str, RenderedTree]) -> None:
    tree = rendered["prd"]
    precious = prune.data_objects(tree) | prune.credentials(tree)
    assert {kind for kind, _, _ in precious} >= {"Cluster", "ObjectStore", "RedisReplication", "RedisSentinel",
                                                 "Namespace", "Secret"}
    for name, app in apps(tree).items():
        # the file goes: the root prunes the Application, its finalizer cascades
        without = without_file(tree, app.file)
        assert tree.get("Application", app.ident.name) is not None and without.get("Application", name) is None
        gone = {(d.kind, d.namespace, d.name) for d in prune.pruned(tree, app)}
        assert not gone & precious, (name, gone & precious)
    assert list(prune.losses(tree)) == []


def test_the_simulation_follows_owner_references_and_namespaces_in_development(
        rendered: dict[str, RenderedTree]) -> None:
    # development keeps no protection: the same simulation finds what production closes
    tree = rendered["dev"]
    gone = {(d.kind, d.namespace, d.name): d for d in prune.pruned(tree, apps(tree)["secrets"])}
    secret = gone[("Secret", "example-dev", "example-redis-auth")]
    assert secret.because[-2:] == ("ExternalSecret example-dev/example-redis-auth", "owner reference")
    via_namespace = {(d.kind, d.name) for d in prune.pruned(tree, apps(tree)["namespaces"])}
    assert {("Cluster", "example-db"), ("Redis", "example-redis"), ("Secret", "example-redis-auth")} <= via_namespace


def test_an_owned_credential_is_reported_at_its_creation_policy(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS_AUTH, owner)
    tree = mutate(tree, BACKUP_CREDENTIALS, owner)
    found = assert_findings(argocd_prune_safety, tree, [
        (BACKUP_CREDENTIALS, line_with(tree, BACKUP_CREDENTIALS, "creationPolicy")),
        (REDIS_AUTH, line_with(tree, REDIS_AUTH, "creationPolicy"))])
    assert "Application prd-secrets pruned -> resources finalizer" in found[1].message
    assert found[1].hint is not None and "Orphan" in found[1].hint


def test_an_unprotected_namespace_is_where_its_credentials_are_lost(rendered: dict[str, RenderedTree]) -> None:
    index = next(i for i, d in enumerate(rendered["prd"].files[NAMESPACES].documents)
                 if d.data["metadata"]["name"] == "external-dns")
    tree = mutate(rendered["prd"], NAMESPACES, lambda d: d[index]["metadata"].pop("annotations"))
    found = assert_findings(argocd_prune_safety, tree, [(NAMESPACES, line_with(tree, NAMESPACES, "metadata:",
                                                                                index + 1))])
    assert "cloudflare-api-token" in found[0].message


def test_eso_crds_need_keep_and_prune_false(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ESO_VALUES, lambda d: d[0]["crds"]["annotations"].pop(OPTIONS))
    found = assert_findings(argocd_prune_safety, tree, [(ESO_VALUES, line_with(tree, ESO_VALUES, "crds:"))])
    assert "argocd.argoproj.io/sync-options: Prune=false" in found[0].message
    tree = mutate(rendered["prd"], ESO_VALUES, lambda d: d[0].pop("crds"))
    found = assert_findings(argocd_prune_safety, tree, [(ESO_VALUES, line_with(tree, ESO_VALUES, "installCRDs"))])
    assert "helm.sh/resource-policy: keep and" in found[0].message


def test_turning_off_crd_installation_is_refused(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CNPG_VALUES, lambda d: d[0]["crds"].update(create=False))
    found = assert_findings(argocd_prune_safety, tree, [(CNPG_VALUES, line_with(tree, CNPG_VALUES, "create:"))])
    assert "no longer renders its CRDs" in found[0].message


def test_skipping_redis_operator_crds_is_refused(rendered: dict[str, RenderedTree]) -> None:
    path = apps(rendered["prd"])["redis-operator"].file
    tree = mutate(rendered["prd"], path, lambda d: d[0]["spec"]["sources"][0]["helm"].update(skipCrds=True))
    assert_findings(argocd_prune_safety, tree, [(path, line_with(tree, path, "skipCrds"))])
