"""The corpus of broken inputs: each mutation of a real rendered tree is caught by the layer and
rule meant to catch it, at the line that shows the mistake, through the whole validation
(`validate_tree`: core schemas, the packaged schema store, admission and CEL, chart values, rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import SchemaOptions, validate_tree
from kit import line_with, mutate, places, set_wave

PG = "manifests/data/postgres.yaml"
REDIS = "manifests/data/redis.yaml"
API = "manifests/example-api/deployment.yaml"
SERVICE = "manifests/example-api/service.yaml"
ES = "manifests/secrets/redis-auth.yaml"
ROUTE = "manifests/example-api/httproute.yaml"
CONFIG = "config/cloudflared/config.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    change: Callable[[list[Any]], object]
    rule: str
    needle: str
    """Text of the line the finding must point at (in the mutated file)."""
    at: str | None = None
    """The file the finding is in, when not the mutated one."""


def _container(d: list[Any]) -> dict[str, Any]:
    return d[0]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def _env(d: list[Any], name: str) -> dict[str, Any]:
    return next(e for e in _container(d)["env"] if e["name"] == name)


def _sentinel(d: list[Any]) -> dict[str, Any]:
    return next(x for x in d if x["kind"] == "RedisSentinel")  # type: ignore[no-any-return]


CASES = [
    Case("misspelled custom-resource field", PG, lambda d: d[0]["spec"].update(instancs=3), "schema", "instancs:"),
    Case("wrong type in a custom resource", PG, lambda d: d[0]["spec"].update(instances="three"), "schema",
         "instances: three"),
    Case("CEL rule: imageName with imageCatalogRef", PG,
         lambda d: d[0]["spec"].update(imageCatalogRef={"apiGroup": "postgresql.cnpg.io", "kind": "ImageCatalog",
                                                        "name": "pg", "major": 17}), "cel", "spec:"),
    Case("unserved apiVersion", ES, lambda d: d[0].update(apiVersion="external-secrets.io/v1beta1"),
         "admission-served", "apiVersion: external-secrets.io/v1beta1"),
    Case("invalid metadata.name", SERVICE, lambda d: d[0]["metadata"].update(name="Example_API"),
         "admission-metadata", "name: Example_API"),
    Case("dangling Secret reference", API,
         lambda d: _env(d, "SPRING_DATASOURCE_PASSWORD")["valueFrom"]["secretKeyRef"].update(name="db-creds"),
         "secret-refs-resolve", "name: db-creds"),
    Case("sentinel watching a missing replication", REDIS,
         lambda d: _sentinel(d)["spec"]["redisSentinelConfig"].update(redisReplicationName="cache"),
         "redis-sentinel-refs", "redisReplicationName: cache"),
    Case("quorum above the sentinel count", REDIS,
         lambda d: _sentinel(d)["spec"]["redisSentinelConfig"].update(quorum="4"), "redis-sentinel-quorum",
         'quorum: "4"'),
    Case("cloudflared without a final catch-all", CONFIG, lambda d: d[0]["ingress"].pop(), "cloudflared-config",
         "- hostname: api.example.com"),
    Case("HTTPRoute host the tunnel does not route", ROUTE,
         lambda d: d[0]["spec"].update(hostnames=["shop.example.com"]), "edge-tunnel-routes",
         "- shop.example.com"),
    Case("a $values file that does not exist", "apps/reloader.yaml",
         lambda d: d[0]["spec"]["sources"][0]["helm"].update(valueFiles=["$values/rendered/prd/values/reload.yaml"]),
         "argocd-value-files", "- $values/rendered/prd/values/reload.yaml"),
    Case("an operator in a wave after its custom resources", "apps/cloudnative-pg.yaml",
         lambda d: set_wave("5")(d[0]), "argocd-sync-waves", "argocd.argoproj.io/sync-wave", at="apps/data.yaml"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_broken_input_is_caught_by_its_layer_at_its_line(rendered: dict[str, RenderedTree], case: Case) -> None:
    tree = mutate(rendered["prd"], case.path, case.change)
    problems = [p for p in validate_tree(tree, SchemaOptions("1.33")) if p.severity >= Severity.ERROR]
    where = case.at or case.path
    expected = (where, line_with(tree, where, case.needle))
    caught = [p for p in problems if p.rule == case.rule]
    assert expected in places(caught), [p.format() for p in problems]


def test_the_real_trees_are_clean_through_every_layer(rendered: dict[str, RenderedTree]) -> None:
    for tree in rendered.values():
        assert [p.format() for p in validate_tree(tree, SchemaOptions("1.33")) if p.severity >= Severity.WARNING] == []


def test_a_document_of_the_wrong_shape_is_a_schema_error_and_never_ends_the_run(
        rendered: dict[str, RenderedTree]) -> None:
    """A hand-edited file can hold anything: a rule that meets a shape the schema forbids says it
    could not check (a warning) while the schema layer reports the cause."""
    tree = mutate(rendered["prd"], "apps/project.yaml", lambda d: d[0].update(spec=7))
    problems = validate_tree(tree, SchemaOptions("1.33"))
    schema = [p for p in problems if p.rule == "schema" and p.severity is Severity.ERROR]
    assert ("apps/project.yaml", line_with(tree, "apps/project.yaml", "spec: 7")) in places(schema)
    skipped = [p for p in problems if p.message.startswith("not checked: a value has a shape")]
    assert skipped and all(p.severity is Severity.WARNING for p in skipped)
