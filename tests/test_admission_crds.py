"""The admission layers on the real CRDs of ../shared/crds and the real rendered trees.

The schemas are the raw `openAPIV3Schema`s of the upstream CRDs (tests/admission_support.py);
without ../shared these tests skip with the reason.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from admission_support import SKIP_REASON, crd_schemas, schema_for
from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import admission, cel, celenv

pytestmark = pytest.mark.skipif(not crd_schemas(), reason=SKIP_REASON)


def errors(findings: list[Any]) -> list[Any]:
    return [f for f in findings if f.severity >= Severity.WARNING]


def all_rules(schema: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        found.extend(r for r in schema.get("x-kubernetes-validations") or () if isinstance(r, dict))
        for value in schema.values():
            found.extend(all_rules(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(all_rules(value))
    return found


def test_every_rule_of_the_pinned_crds_compiles_or_is_a_transition_rule() -> None:
    rules = [rule for schema in crd_schemas().values() for rule in all_rules(schema)]
    assert len(rules) > 50
    for rule in rules:
        compiled = celenv.compile_rule(rule["rule"])
        assert compiled.unsupported is None, rule
        assert (compiled.program is None) == compiled.uses_old_self == ("oldSelf" in rule["rule"]), rule


def test_rendered_custom_resources_and_builtins_pass(rendered: dict[str, RenderedTree]) -> None:
    checked = 0
    for env in ("dev", "prd"):
        for doc in rendered[env].manifests():
            schema = schema_for(doc.data)
            found = (admission.check(doc.data, schema) if schema is not None
                     else admission.check_core(doc.data, "1.33"))
            assert errors(found) == [], (env, doc.file, str(doc.identity))
            checked += schema is not None
    assert checked >= 20


def first(rendered: dict[str, RenderedTree], kind: str) -> dict[str, Any]:
    doc = next(rendered["prd"].manifests(kind))
    return copy.deepcopy(doc.data)


def test_cnpg_cluster_with_image_name_and_catalog_fails_at_spec(rendered: dict[str, RenderedTree]) -> None:
    cluster = first(rendered, "Cluster")
    cluster["spec"]["imageName"] = cluster["spec"].get("imageName", "ghcr.io/cloudnative-pg/postgresql:17.5")
    cluster["spec"]["imageCatalogRef"] = {"apiGroup": "postgresql.cnpg.io", "kind": "ImageCatalog",
                                          "name": "postgresql", "major": 17}
    schema = schema_for(cluster)
    assert schema is not None
    found = admission.check(cluster, schema)
    assert [(f.path, f.rule, f.severity) for f in found] == [(("spec",), "cel", Severity.ERROR)]


def test_cnpg_cluster_immutable_fields_are_skipped_not_failed(rendered: dict[str, RenderedTree]) -> None:
    cluster = first(rendered, "Cluster")
    cluster["spec"]["serviceAccountName"] = "db"
    schema = schema_for(cluster)
    assert schema is not None
    result = admission.check_custom_resource(cluster, schema)
    assert errors(result.findings) == []
    assert ("spec", "serviceAccountName") in [s.path for s in result.skipped]


def test_cnpg_catalog_reference_kind_rule(rendered: dict[str, RenderedTree]) -> None:
    cluster = first(rendered, "Cluster")
    cluster["spec"].pop("imageName", None)
    cluster["spec"]["imageCatalogRef"] = {"apiGroup": "postgresql.cnpg.io", "kind": "Secret", "name": "x",
                                          "major": 17}
    schema = schema_for(cluster)
    assert schema is not None
    found = admission.check(cluster, schema)
    assert [(f.path, f.rule) for f in found] == [(("spec", "imageCatalogRef"), "cel")]


def test_eso_doppler_auth_with_secret_ref_and_oidc_fails(rendered: dict[str, RenderedTree]) -> None:
    store = first(rendered, "ClusterSecretStore")
    auth = store["spec"]["provider"]["doppler"]["auth"]
    auth["oidcConfig"] = {"identity": "doppler-identity", "serviceAccountRef": {"name": "eso"}}
    schema = schema_for(store)
    assert schema is not None
    found = admission.check(store, schema)
    assert [(f.path, f.rule, f.severity) for f in found] == [
        (("spec", "provider", "doppler", "auth"), "cel", Severity.ERROR)]
    del auth["secretRef"]
    assert errors(admission.check(store, schema)) == []
    del auth["oidcConfig"]
    assert [f.path for f in admission.check(store, schema)] == [("spec", "provider", "doppler", "auth")]


def test_eso_aws_session_tags_reserved_keys_fail() -> None:
    store = {"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore", "metadata": {"name": "aws"},
             "spec": {"provider": {"aws": {"service": "SecretsManager", "region": "eu-west-1",
                                           "customSessionTags": {"team": "a", "esoNamespace": "b"}}}}}
    schema = schema_for(store)
    assert schema is not None
    assert [(f.path, f.rule) for f in admission.check(store, schema)] == [
        (("spec", "provider", "aws", "customSessionTags"), "cel")]


def test_eso_v1beta1_is_not_served(rendered: dict[str, RenderedTree]) -> None:
    store = first(rendered, "ClusterSecretStore")
    store["apiVersion"] = "external-secrets.io/v1beta1"
    schema = schema_for(store)
    assert schema is not None
    found = [f for f in admission.check(store, schema) if f.rule == "admission-served"]
    assert [(f.path, f.severity) for f in found] == [(("apiVersion",), Severity.ERROR)]
    assert found[0].message.endswith("served: v1")


def test_barman_object_store_field_path_rule() -> None:
    store = {"apiVersion": "barmancloud.cnpg.io/v1", "kind": "ObjectStore", "metadata": {"name": "s3"},
             "spec": {"configuration": {"destinationPath": "s3://b/", "serverName": "pg"}}}
    schema = schema_for(store)
    assert schema is not None
    found = [f for f in admission.check(store, schema) if f.rule == "cel"]
    assert [f.path for f in found] == [("spec", "configuration", "serverName")]


def test_cluster_scoped_store_with_namespace_warns(rendered: dict[str, RenderedTree]) -> None:
    store = first(rendered, "ClusterSecretStore")
    store["metadata"]["namespace"] = "external-secrets"
    schema = schema_for(store)
    assert schema is not None
    assert [(f.path, f.rule, f.severity) for f in admission.check(store, schema)] == [
        (("metadata", "namespace"), "admission-metadata", Severity.WARNING)]


def test_plans_are_cached_per_schema() -> None:
    schema = next(iter(crd_schemas().values()))
    assert cel.plan_for(schema) is cel.plan_for(schema)
