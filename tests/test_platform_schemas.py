"""Every platform object validates against the real upstream schemas, strictly.

Custom resources: jsonschema directly against ../shared/schemas/crds-strict (an oracle that does
not go through our validator), and our own validator in strict mode reports nothing. Core
objects: kubernetes-validate in strict mode (unknown fields are errors).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest

from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.validate.schemas import SchemaOptions, validate_tree

PLATFORM_DIRS = ("manifests/secret-store/", "manifests/secrets/", "manifests/data/", "manifests/example-api/",
                 "manifests/cloudflared/", "manifests/namespaces/", "apps/", "bootstrap/")
CUSTOM_GROUPS = ("postgresql.cnpg.io", "redis.redis.opstreelabs.in", "external-secrets.io", "barmancloud.cnpg.io",
                 "argoproj.io")


def platform_docs(tree: RenderedTree) -> list[Document]:
    return [d for d in tree.manifests() if d.file.startswith(PLATFORM_DIRS)]


def custom_resources(tree: RenderedTree) -> list[Document]:
    return [d for d in platform_docs(tree) if d.identity and d.identity.group in CUSTOM_GROUPS]


# Neither kubernetes-validate nor the reference conversion has Gateway API or Prometheus Operator
# schemas: the packaged store checks the Gateway API's (tests/test_edge_gateway.py).
GATEWAY_GROUPS = ("gateway.networking.k8s.io", "monitoring.coreos.com")


def core_objects(tree: RenderedTree) -> list[Document]:
    return [d for d in platform_docs(tree)
            if d.identity and d.identity.group not in CUSTOM_GROUPS + GATEWAY_GROUPS]


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_every_platform_custom_resource_matches_its_strict_upstream_crd_schema(
        rendered: dict[str, RenderedTree], shared_schemas: Path, env: str) -> None:
    docs = custom_resources(rendered[env])
    kinds = {d.identity.kind for d in docs if d.identity}
    assert {"ClusterSecretStore", "ExternalSecret", "Cluster", "Application", "AppProject"} <= kinds
    if env == "prd":
        assert {"ObjectStore", "ScheduledBackup"} <= kinds
    for doc in docs:
        ident = doc.identity
        assert ident is not None
        schema_file = shared_schemas / "crds-strict" / ident.group / f"{ident.kind.lower()}_{ident.version}.json"
        schema = json.loads(schema_file.read_text())
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc.data)]
        assert errors == [], f"{doc.file}: {ident}: {errors}"


def test_redis_kinds_by_environment_all_exist_in_the_strict_schemas(
        rendered: dict[str, RenderedTree], shared_schemas: Path) -> None:
    dev = {d.identity.kind for d in custom_resources(rendered["dev"]) if d.identity}
    prd = {d.identity.kind for d in custom_resources(rendered["prd"]) if d.identity}
    assert "Redis" in dev and not {"RedisReplication", "RedisSentinel"} & dev
    assert {"RedisReplication", "RedisSentinel"} <= prd and "Redis" not in prd
    for kind in ("redis", "redisreplication", "redissentinel"):
        assert (shared_schemas / "crds-strict" / "redis.redis.opstreelabs.in" / f"{kind}_v1beta2.json").is_file()


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_our_validator_in_strict_mode_reports_nothing_for_the_platform(
        rendered: dict[str, RenderedTree], shared_schemas: Path, env: str) -> None:
    tree = rendered[env]
    options = SchemaOptions("1.33", (str(shared_schemas / "crds-strict"),), strict=True)
    problems = validate_tree(tree, options)
    assert [p.format() for p in problems] == []


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_every_platform_core_object_passes_kubernetes_validate_strict(
        rendered: dict[str, RenderedTree], env: str) -> None:
    docs = core_objects(rendered[env])
    kinds = {d.identity.kind for d in docs if d.identity}
    assert {"Deployment", "Service", "Namespace", "NetworkPolicy", "ConfigMap"} <= kinds
    if env == "prd":
        assert "PodDisruptionBudget" in kinds
    for doc in docs:
        kubernetes_validate.validate(doc.data, "1.33", strict=True)


def test_prd_cloudflared_objects_pass_kubernetes_validate_strict(rendered: dict[str, RenderedTree]) -> None:
    tree = rendered["prd"]
    docs = [d for d in tree.manifests() if d.file.startswith("manifests/cloudflared/")]
    assert sorted(d.identity.kind for d in docs if d.identity) == ["ConfigMap", "Deployment", "PodDisruptionBudget"]
    for doc in docs:
        kubernetes_validate.validate(doc.data, "1.33", strict=True)


def test_strict_core_validation_rejects_an_unknown_field_in_a_platform_deployment(
        rendered: dict[str, RenderedTree]) -> None:
    doc = rendered["prd"].get("Deployment", "cloudflared", "cloudflared")
    assert doc is not None
    broken = json.loads(json.dumps(doc.data))
    broken["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.33", strict=True)


def test_strict_crd_schema_rejects_an_integer_sentinel_quorum(
        rendered: dict[str, RenderedTree], shared_schemas: Path) -> None:
    doc = rendered["prd"].get("RedisSentinel", "example-redis", "example-prd")
    assert doc is not None
    broken = json.loads(json.dumps(doc.data))
    broken["spec"]["redisSentinelConfig"]["quorum"] = 2
    schema = json.loads((shared_schemas / "crds-strict/redis.redis.opstreelabs.in/redissentinel_v1beta2.json")
                        .read_text())
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_strict_object_store_schema_rejects_a_bad_retention_and_an_unknown_field(
        rendered: dict[str, RenderedTree], shared_schemas: Path) -> None:
    doc = rendered["prd"].get("ObjectStore", "example-db-backup", "example-prd")
    assert doc is not None
    schema = json.loads((shared_schemas / "crds-strict/barmancloud.cnpg.io/objectstore_v1.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    assert validator.is_valid(doc.data)
    for change in ({"retentionPolicy": "30 days"}, {"walArchive": True}):
        broken = json.loads(json.dumps(doc.data))
        broken["spec"].update(change)
        assert not validator.is_valid(broken), change


def test_prd_scheduled_backup_uses_the_plugin_and_a_six_field_schedule(
        rendered: dict[str, RenderedTree], shared_schemas: Path) -> None:
    doc = rendered["prd"].get("ScheduledBackup", "example-db-daily", "example-prd")
    assert doc is not None
    spec = doc.data["spec"]
    assert (spec["method"], spec["pluginConfiguration"], spec["cluster"]) == (
        "plugin", {"name": "barman-cloud.cloudnative-pg.io"}, {"name": "example-db"})
    assert len(spec["schedule"].split()) == 6
    schema = json.loads((shared_schemas / "crds-strict/postgresql.cnpg.io/scheduledbackup_v1.json").read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(doc.data)) == []
