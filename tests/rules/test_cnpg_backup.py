"""cnpg-backup: every production database is backed up, through objects that exist."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cnpg_backup
from kit import assert_findings, line_with, mutate, without_file

PG = "manifests/data/postgres.yaml"
BACKUP = "manifests/data/backup.yaml"


def _schedule(docs: list[Any]) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == "ScheduledBackup")  # type: ignore[no-any-return]


def test_prd_backs_up_through_the_plugin_and_dev_needs_no_backup(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(cnpg_backup, rendered["prd"], [])
    assert_findings(cnpg_backup, rendered["dev"], [])


def test_a_production_cluster_without_any_backup_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = without_file(rendered["prd"], BACKUP)
    tree = mutate(tree, PG, lambda d: d[0]["spec"].pop("plugins"))
    found = assert_findings(cnpg_backup, tree, [(PG, line_with(tree, PG, "spec:"))])
    assert "without backups" in found[0].message


def test_a_production_cluster_without_a_scheduled_backup_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], BACKUP, lambda d: d.pop())
    found = assert_findings(cnpg_backup, tree, [(PG, line_with(tree, PG, "spec:"))])
    assert "ScheduledBackup" in found[0].message


def test_the_plugin_must_name_a_rendered_object_store(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["plugins"][0]["parameters"].update(
        barmanObjectName="elsewhere"))
    assert_findings(cnpg_backup, tree, [(PG, line_with(tree, PG, "parameters:"))])


def test_object_store_credentials_must_come_from_an_external_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], BACKUP, lambda d: d[0]["spec"]["configuration"]["s3Credentials"]
                  ["secretAccessKey"].update(key="SECRET"))
    found = assert_findings(cnpg_backup, tree, [(BACKUP, line_with(tree, BACKUP, "key: SECRET"))])
    assert "ACCESS_SECRET_KEY" in (found[0].hint or "")
    renamed = mutate(rendered["prd"], BACKUP, lambda d: d[0]["spec"]["configuration"]["s3Credentials"]
                     ["accessKeyId"].update(name="nowhere"))
    assert_findings(cnpg_backup, renamed, [(BACKUP, line_with(renamed, BACKUP, "accessKeyId:"))])


def test_a_scheduled_backup_needs_a_method_its_cluster_can_run(rendered: dict[str, RenderedTree]) -> None:
    def default_method(docs: list[Any]) -> None:
        spec = _schedule(docs)["spec"]
        spec.pop("method")
        spec.pop("pluginConfiguration")

    tree = mutate(rendered["prd"], BACKUP, default_method)
    found = assert_findings(cnpg_backup, tree, [(BACKUP, line_with(tree, BACKUP, "spec:", 2))])
    assert "barmanObjectStore (the default)" in found[0].message
    snapshots = mutate(rendered["prd"], BACKUP, lambda d: _schedule(d)["spec"].update(method="volumeSnapshot"))
    assert_findings(cnpg_backup, snapshots, [(BACKUP, line_with(snapshots, BACKUP, "method: volumeSnapshot"))])
    other = mutate(rendered["prd"], BACKUP, lambda d: _schedule(d)["spec"]["pluginConfiguration"].update(name="x"))
    assert_findings(cnpg_backup, other, [(BACKUP, line_with(other, BACKUP, "pluginConfiguration:"))])


def test_a_scheduled_backup_must_target_a_rendered_cluster(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], BACKUP, lambda d: _schedule(d)["spec"]["cluster"].update(name="gone"))
    # the Cluster is left without a ScheduledBackup, and the ScheduledBackup without a Cluster
    assert_findings(cnpg_backup, tree, [(PG, line_with(tree, PG, "spec:")),
                                        (BACKUP, line_with(tree, BACKUP, "cluster:"))])


def test_volume_snapshots_are_a_backup_too(rendered: dict[str, RenderedTree]) -> None:
    def snapshots(docs: list[Any]) -> None:
        docs[0]["spec"].pop("plugins")
        docs[0]["spec"]["backup"] = {"volumeSnapshot": {"className": "csi-snapclass", "online": False}}

    def schedule(docs: list[Any]) -> None:
        docs.pop(0)
        spec = _schedule(docs)["spec"]
        spec.pop("pluginConfiguration")
        spec["method"] = "volumeSnapshot"

    tree = mutate(mutate(rendered["prd"], PG, snapshots), BACKUP, schedule)
    assert_findings(cnpg_backup, tree, [])


def test_in_tree_barman_is_deprecated_and_the_plugin_belongs_to_the_operator_namespace(
        rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"].update(
        backup={"barmanObjectStore": {"destinationPath": "s3://x/y"}}))
    found = assert_findings(cnpg_backup, tree, [(PG, line_with(tree, PG, "barmanObjectStore:"))])
    assert found[0].severity == Severity.WARNING
    app = "apps/plugin-barman-cloud.yaml"
    moved = mutate(rendered["prd"], app, lambda a: a["spec"]["destination"].update(namespace="barman"), doc=0)
    assert_findings(cnpg_backup, moved, [(app, line_with(moved, app, "namespace: barman"))])
    no_cert_manager = without_file(rendered["prd"], "apps/cert-manager.yaml")
    assert_findings(cnpg_backup, no_cert_manager, [(app, line_with(no_cert_manager, app, "spec:"))])
