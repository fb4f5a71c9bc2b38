"""cnpg-cluster: a CloudNativePG Cluster the operator accepts and that behaves (DOMAIN X17-X19)."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cnpg_cluster
from kit import assert_findings, findings, line_with, mutate, places

PG = "manifests/data/postgres.yaml"


def test_initdb_owner_must_be_explicit(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["bootstrap"]["initdb"].pop("owner"))
    found = assert_findings(cnpg_cluster, tree, [(PG, line_with(tree, PG, "initdb:"))])
    assert "initdb.owner" in found[0].message


def test_storage_size_must_be_set(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["storage"].pop("size"))
    found = assert_findings(cnpg_cluster, tree, [(PG, line_with(tree, PG, "storage:"))])
    assert found[0].message.startswith("Size not configured")


def test_storage_size_must_be_a_quantity(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], PG, lambda d: d[0]["spec"]["storage"].update(size="5 GB"))
    assert_findings(cnpg_cluster, tree, [(PG, line_with(tree, PG, "size:"))])


def test_image_name_must_carry_a_version_tag(rendered: dict[str, RenderedTree]) -> None:
    for image, fragment in (("ghcr.io/cloudnative-pg/postgresql:latest", "Can't use 'latest'"),
                            ("ghcr.io/cloudnative-pg/postgresql@sha256:" + "b" * 64, "Can't use just the image sha"),
                            ("ghcr.io/cloudnative-pg/postgresql:bookworm", "invalid version tag")):
        tree = mutate(rendered["prd"], PG, lambda d, image=image: d[0]["spec"].update(imageName=image))
        found = assert_findings(cnpg_cluster, tree, [(PG, line_with(tree, PG, "imageName:"))])
        assert fragment in found[0].message


def test_single_instance_with_a_pdb_blocks_drains(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], PG, lambda d: d[0]["spec"].update(enablePDB=True))
    assert_findings(cnpg_cluster, tree, [(PG, line_with(tree, PG, "enablePDB: true"))])
    defaulted = mutate(rendered["dev"], PG, lambda d: d[0]["spec"].pop("enablePDB"))
    assert_findings(cnpg_cluster, defaulted, [(PG, line_with(defaulted, PG, "instances: 1"))])


def test_two_instances_get_a_note_and_pod_monitor_a_warning(rendered: dict[str, RenderedTree]) -> None:
    def change(docs: list[Any]) -> None:
        docs[0]["spec"]["instances"] = 2
        docs[0]["spec"]["monitoring"] = {"enablePodMonitor": True}

    tree = mutate(rendered["prd"], PG, change)
    found = findings(cnpg_cluster, tree, min_severity=Severity.INFO)
    assert [(p.line, p.severity) for p in found] == [
        (line_with(tree, PG, "instances: 2"), Severity.INFO),
        (line_with(tree, PG, "enablePodMonitor: true"), Severity.WARNING),
    ]


def test_an_initdb_secret_from_doppler_must_be_basic_auth(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["bootstrap"]["initdb"].update(
        secret={"name": "example-api-secrets"}))
    found = findings(cnpg_cluster, tree)
    es = "manifests/secrets/app-secrets.yaml"
    assert places(found) == [(es, line_with(tree, es, "  target:"))]

    def basic_auth(docs: list[Any]) -> None:
        docs[0]["spec"]["target"]["template"]["type"] = "kubernetes.io/basic-auth"
        docs[0]["spec"]["data"] += [{"secretKey": k, "remoteRef": {"key": k.upper()}} for k in ("username", "password")]

    assert findings(cnpg_cluster, mutate(tree, es, basic_auth)) == []
