"""cnpg-datasource: the API's datasource points at the Cluster's primary and its own database (DOMAIN X15, X16)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cnpg_datasource
from kit import assert_findings, find_env, line_with, mutate

API = "manifests/example-api/deployment.yaml"


def _api_env(docs: list[Any], name: str) -> dict[str, Any]:
    return find_env(docs[0]["spec"]["template"]["spec"]["containers"][0], name)


def test_datasource_must_use_the_rw_service(rendered: dict[str, RenderedTree]) -> None:
    url = "jdbc:postgresql://example-db-ro.example-prd.svc:5432/example"
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_URL").update(value=url))
    found = assert_findings(cnpg_datasource, tree, [(API, line_with(tree, API, "example-db-ro"))])
    assert found[0].hint == "use <cluster>-rw: only the primary accepts writes"


def test_datasource_database_and_port_must_match_the_cluster(rendered: dict[str, RenderedTree]) -> None:
    url = "jdbc:postgresql://example-db-rw:5433/app"
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_URL").update(value=url))
    line = line_with(tree, API, url)
    found = assert_findings(cnpg_datasource, tree, [(API, line), (API, line)])
    assert sorted(p.message.split(" (")[0] for p in found) == [
        "database 'app' differs from the Cluster's initdb.database 'example'", "port 5433 is not PostgreSQL's 5432"]


def test_datasource_credentials_come_from_the_clusters_app_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_USERNAME")["valueFrom"]
                  ["secretKeyRef"].update(name="example-api-secrets"))
    assert_findings(cnpg_datasource, tree, [
        (API, line_with(tree, API, "name: SPRING_DATASOURCE_USERNAME"))])
    literal = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_USERNAME").update(
        {"value": "app", "valueFrom": None}))
    assert_findings(cnpg_datasource, literal, [
        (API, line_with(literal, API, "name: SPRING_DATASOURCE_USERNAME"))])
