"""CloudNativePG rules (DOMAIN X15-X19) at file:line on mutated copies of the real trees."""

from __future__ import annotations

from typing import Any

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Severity
from gitopsgen.validate.rules import cnpg_cluster, cnpg_datasource
from platform_support import errors, find_env, line_with, mutate, where

PG = "manifests/data/postgres.yaml"
API = "manifests/example-api/deployment.yaml"


def _api_env(docs: list[Any], name: str) -> dict[str, Any]:
    return find_env(docs[0]["spec"]["template"]["spec"]["containers"][0], name)


def test_initdb_owner_must_be_explicit(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["bootstrap"]["initdb"].pop("owner"))
    found = errors(cnpg_cluster, tree)
    assert where(found) == [(f"rendered/prd/{PG}", line_with(tree, PG, "initdb:"))]
    assert "initdb.owner" in found[0].message


def test_storage_size_must_be_set(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["storage"].pop("size"))
    found = errors(cnpg_cluster, tree)
    assert where(found) == [(f"rendered/prd/{PG}", line_with(tree, PG, "storage:"))]
    assert found[0].message.startswith("Size not configured")


def test_storage_size_must_be_a_quantity(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], PG, lambda d: d[0]["spec"]["storage"].update(size="5 GB"))
    assert where(errors(cnpg_cluster, tree)) == [(f"rendered/dev/{PG}", line_with(tree, PG, "size:"))]


def test_image_name_must_carry_a_version_tag(rendered: dict[str, RenderedTree]) -> None:
    for image, fragment in (("ghcr.io/cloudnative-pg/postgresql:latest", "Can't use 'latest'"),
                            ("ghcr.io/cloudnative-pg/postgresql@sha256:" + "b" * 64, "Can't use just the image sha"),
                            ("ghcr.io/cloudnative-pg/postgresql:bookworm", "invalid version tag")):
        tree = mutate(rendered["prd"], PG, lambda d, image=image: d[0]["spec"].update(imageName=image))
        found = errors(cnpg_cluster, tree)
        assert where(found) == [(f"rendered/prd/{PG}", line_with(tree, PG, "imageName:"))]
        assert fragment in found[0].message


def test_single_instance_with_a_pdb_blocks_drains(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], PG, lambda d: d[0]["spec"].update(enablePDB=True))
    assert where(errors(cnpg_cluster, tree)) == [(f"rendered/dev/{PG}", line_with(tree, PG, "enablePDB: true"))]
    defaulted = mutate(rendered["dev"], PG, lambda d: d[0]["spec"].pop("enablePDB"))
    assert where(errors(cnpg_cluster, defaulted)) == [(f"rendered/dev/{PG}", line_with(defaulted, PG, "instances: 1"))]


def test_two_instances_get_a_note_and_pod_monitor_a_warning(rendered: dict[str, RenderedTree]) -> None:
    def change(docs: list[Any]) -> None:
        docs[0]["spec"]["instances"] = 2
        docs[0]["spec"]["monitoring"] = {"enablePodMonitor": True}

    tree = mutate(rendered["prd"], PG, change)
    found = list(cnpg_cluster.check(tree))
    assert [(p.line, p.severity) for p in found] == [
        (line_with(tree, PG, "instances: 2"), Severity.INFO),
        (line_with(tree, PG, "enablePodMonitor: true"), Severity.WARNING),
    ]


def test_datasource_must_use_the_rw_service(rendered: dict[str, RenderedTree]) -> None:
    url = "jdbc:postgresql://example-db-ro.example-prd.svc:5432/example"
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_URL").update(value=url))
    found = errors(cnpg_datasource, tree)
    assert where(found) == [(f"rendered/prd/{API}", line_with(tree, API, "example-db-ro"))]
    assert found[0].hint == "use <cluster>-rw: only the primary accepts writes"


def test_datasource_database_and_port_must_match_the_cluster(rendered: dict[str, RenderedTree]) -> None:
    url = "jdbc:postgresql://example-db-rw:5433/app"
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_URL").update(value=url))
    line = line_with(tree, API, url)
    found = errors(cnpg_datasource, tree)
    assert where(found) == [(f"rendered/dev/{API}", line), (f"rendered/dev/{API}", line)]
    assert ["port 5433" in found[0].message, "database 'app'" in found[1].message] == [True, True]


def test_datasource_credentials_come_from_the_clusters_app_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_USERNAME")["valueFrom"]
                  ["secretKeyRef"].update(name="example-api-secrets"))
    assert where(errors(cnpg_datasource, tree)) == [
        (f"rendered/prd/{API}", line_with(tree, API, "name: SPRING_DATASOURCE_USERNAME"))]
    literal = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_USERNAME").update(
        {"value": "app", "valueFrom": None}))
    assert where(errors(cnpg_datasource, literal)) == [
        (f"rendered/prd/{API}", line_with(literal, API, "name: SPRING_DATASOURCE_USERNAME"))]


def test_an_initdb_secret_from_doppler_must_be_basic_auth(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PG, lambda d: d[0]["spec"]["bootstrap"]["initdb"].update(
        secret={"name": "example-api-secrets"}))
    found = errors(cnpg_cluster, tree)
    es = "manifests/secrets/app-secrets.yaml"
    assert where(found) == [(f"rendered/prd/{es}", line_with(tree, es, "  target:"))]

    def basic_auth(docs: list[Any]) -> None:
        docs[0]["spec"]["target"]["template"]["type"] = "kubernetes.io/basic-auth"
        docs[0]["spec"]["data"] += [{"secretKey": k, "remoteRef": {"key": k.upper()}} for k in ("username", "password")]

    assert errors(cnpg_cluster, mutate(tree, es, basic_auth)) == []
