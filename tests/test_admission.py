"""Admission semantics on small inline schemas and built-in kinds: positions, rule ids, severities."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.core.problems import Finding, Severity
from gitopsgen.validate import admission, k8snames

STR = {"type": "string"}
INT = {"type": "integer"}
Where = tuple[tuple[str | int, ...], str, Severity]


def where(findings: list[Finding]) -> list[Where]:
    return [(f.path, f.rule, f.severity) for f in findings]


def crd_schema(spec: dict[str, Any], *, scope: str = "Namespaced", served: bool = True,
               deprecated: bool = False, version: str = "v1") -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"apiVersion": STR, "kind": STR, "metadata": {"type": "object"}, "spec": spec},
        "x-gitopsgen-crd": {"group": "example.com", "kind": "Thing", "version": version, "plural": "things",
                            "scope": scope, "served": served, "storage": served, "deprecated": deprecated,
                            "servedVersions": ["v1"]},
    }


def thing(spec: Any = None, version: str = "v1", **meta: Any) -> dict[str, Any]:
    return {"apiVersion": f"example.com/{version}", "kind": "Thing", "metadata": {"name": "a", **meta},
            "spec": spec if spec is not None else {}}


def list_map(keys: list[str], item_props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "object", "properties": item_props}
    if required:
        item["required"] = required
    return {"type": "array", "items": item, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys}


PORTS = crd_schema({"type": "object", "properties": {"ports": list_map(["name"], {"name": STR, "port": INT})}})


def test_list_map_duplicate_key_is_an_error_at_the_second_entry() -> None:
    data = thing({"ports": [{"name": "http", "port": 80}, {"name": "grpc"}, {"name": "http", "port": 8080}]})
    findings = admission.check(data, PORTS)
    assert where(findings) == [(("spec", "ports", 2), "admission-list-map", Severity.ERROR)]
    assert findings[0].message == 'Duplicate value: {"name":"http"}'


def test_list_map_reports_each_duplicated_key_once() -> None:
    data = thing({"ports": [{"name": "a"}, {"name": "a"}, {"name": "a"}, {"name": "b"}, {"name": "b"}]})
    assert [f.path for f in admission.check(data, PORTS)] == [("spec", "ports", 1), ("spec", "ports", 4)]


def test_list_map_with_two_keys_compares_the_tuple() -> None:
    schema = crd_schema({"type": "object", "properties": {
        "ports": list_map(["port", "protocol"], {"port": INT, "protocol": STR}, required=["port", "protocol"])}})
    distinct = thing({"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]})
    assert admission.check(distinct, schema) == []
    same = thing({"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "UDP"}]})
    assert where(admission.check(same, schema)) == [(("spec", "ports", 1), "admission-list-map", Severity.ERROR)]


def test_list_map_missing_key_without_default_is_an_error() -> None:
    data = thing({"ports": [{"name": "http"}, {"port": 81}]})
    assert where(admission.check(data, PORTS)) == [(("spec", "ports", 1), "admission-list-map", Severity.ERROR)]


def test_list_map_missing_required_key_is_left_to_the_schema_layer() -> None:
    schema = crd_schema({"type": "object", "properties": {
        "ports": list_map(["name"], {"name": STR, "port": INT}, required=["name"])}})
    assert admission.check(thing({"ports": [{"port": 80}]}), schema) == []


def test_list_map_key_default_fills_the_key() -> None:
    schema = crd_schema({"type": "object", "properties": {
        "ports": list_map(["port", "protocol"], {"port": INT, "protocol": {"type": "string", "default": "TCP"}},
                          required=["port"])}})
    assert admission.check(thing({"ports": [{"port": 80}, {"port": 81}]}), schema) == []
    dup = thing({"ports": [{"port": 80}, {"port": 80, "protocol": "TCP"}]})
    assert where(admission.check(dup, schema)) == [(("spec", "ports", 1), "admission-list-map", Severity.ERROR)]


def test_list_set_duplicates_reported_only_without_unique_items() -> None:
    raw = {"type": "array", "items": STR, "x-kubernetes-list-type": "set"}
    data = thing({"tags": ["a", "b", "a"]})
    found = admission.check(data, crd_schema({"type": "object", "properties": {"tags": raw}}))
    assert where(found) == [(("spec", "tags", 2), "admission-list-set", Severity.ERROR)]
    translated = raw | {"uniqueItems": True}
    assert admission.check(data, crd_schema({"type": "object", "properties": {"tags": translated}})) == []


EMBEDDED = crd_schema({"type": "object", "properties": {"template": {
    "type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}}})


def test_embedded_resource_without_kind_is_an_error() -> None:
    data = thing({"template": {"apiVersion": "v1", "metadata": {"name": "cm"}}})
    assert where(admission.check(data, EMBEDDED)) == [(("spec", "template", "kind"), "admission-embedded",
                                                       Severity.ERROR)]


def test_embedded_resource_checks_api_version_kind_and_metadata() -> None:
    data = thing({"template": {"apiVersion": "a/b/c", "kind": "Config_Map",
                               "metadata": {"name": "a/b", "labels": {"bad key!": "x"}}}})
    assert where(admission.check(data, EMBEDDED)) == [
        (("spec", "template", "apiVersion"), "admission-embedded", Severity.ERROR),
        (("spec", "template", "kind"), "admission-embedded", Severity.ERROR),
        (("spec", "template", "metadata", "name"), "admission-embedded", Severity.ERROR),
        (("spec", "template", "metadata", "labels", "bad key!"), "admission-embedded", Severity.ERROR),
    ]


def test_embedded_resource_name_is_optional() -> None:
    assert admission.check(thing({"template": {"apiVersion": "v1", "kind": "ConfigMap"}}), EMBEDDED) == []


SIMPLE = crd_schema({"type": "object"})


@pytest.mark.parametrize("name", ["Upper", "under_score", "-dash", "a" * 254, "dot."])
def test_custom_resource_name_must_be_a_dns_subdomain(name: str) -> None:
    assert where(admission.check(thing(name=name), SIMPLE)) == [(("metadata", "name"), "admission-metadata",
                                                                  Severity.ERROR)]


@pytest.mark.parametrize("name", ["a", "example-db", "a.b.c", "a" * 253])
def test_custom_resource_name_valid(name: str) -> None:
    assert admission.check(thing(name=name), SIMPLE) == []


def test_name_or_generate_name_is_required() -> None:
    data = thing()
    del data["metadata"]["name"]
    assert where(admission.check(data, SIMPLE)) == [(("metadata", "name"), "admission-metadata", Severity.ERROR)]
    data["metadata"]["generateName"] = "job-"
    assert admission.check(data, SIMPLE) == []
    data["metadata"]["generateName"] = "Job_"
    assert where(admission.check(data, SIMPLE)) == [(("metadata", "generateName"), "admission-metadata",
                                                      Severity.ERROR)]


def test_non_string_name_is_left_to_the_schema_layer() -> None:
    assert admission.check(thing(name=12), SIMPLE) == []


def core(api_version: str, kind: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, **extra}


@pytest.mark.parametrize(("api_version", "kind", "name", "valid"), [
    ("v1", "Namespace", "example-prd", True),
    ("v1", "Namespace", "example.prd", False),
    ("v1", "Service", "redis-master", True),
    ("v1", "Service", "1redis", False),
    ("v1", "Service", "redis.master", False),
    ("v1", "ConfigMap", "app.config", True),
    ("v1", "Secret", "Bad_Secret", False),
    ("apps/v1", "Deployment", "a" * 253, True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "system:controller:foo", True),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", "a/b", False),
    ("batch/v1", "CronJob", "c" * 52, True),
    ("batch/v1", "CronJob", "c" * 53, False),
])
def test_builtin_name_rules_by_kind(api_version: str, kind: str, name: str, valid: bool) -> None:
    findings = admission.check_core(core(api_version, kind, name), "1.33")
    assert where(findings) == ([] if valid else [(("metadata", "name"), "admission-metadata", Severity.ERROR)])


def test_crd_name_must_be_plural_dot_group() -> None:
    crd = core("apiextensions.k8s.io/v1", "CustomResourceDefinition", "things.example.com",
               spec={"group": "example.com", "names": {"plural": "things", "kind": "Thing"}})
    assert admission.check_core(crd, "1.33") == []
    crd["metadata"]["name"] = "thing.example.com"
    assert where(admission.check_core(crd, "1.33")) == [(("metadata", "name"), "admission-metadata", Severity.ERROR)]


@pytest.mark.parametrize(("labels", "bad"), [
    ({"app.kubernetes.io/name": "api", "tier": "", "Mixed_Case.ok": "V1.2_x"}, []),
    ({"-bad": "x"}, ["-bad"]),
    ({"a/b/c": "x"}, ["a/b/c"]),
    ({"Example.com/key": "x"}, ["Example.com/key"]),
    ({"k" * 64: "x"}, ["k" * 64]),
    ({f"{'p' * 254}/k": "x"}, [f"{'p' * 254}/k"]),
    ({"key": "v" * 64}, ["key"]),
    ({"key": "has space"}, ["key"]),
    ({"key": "-lead"}, ["key"]),
])
def test_label_keys_and_values(labels: dict[str, str], bad: list[str]) -> None:
    findings = admission.check(thing(labels=labels), SIMPLE)
    assert where(findings) == [(("metadata", "labels", key), "admission-metadata", Severity.ERROR) for key in bad]


def test_annotation_keys_ignore_case_and_total_size_is_limited() -> None:
    ok = thing(annotations={"Example.com/Some-Key": "x", "argocd.argoproj.io/sync-wave": "1"})
    assert admission.check(ok, SIMPLE) == []
    assert where(admission.check(thing(annotations={"bad key": "x"}), SIMPLE)) == [
        (("metadata", "annotations", "bad key"), "admission-metadata", Severity.ERROR)]
    big = thing(annotations={"a": "x" * (128 * 1024), "b": "y" * (128 * 1024)})
    assert where(admission.check(big, SIMPLE)) == [(("metadata", "annotations"), "admission-metadata", Severity.ERROR)]


def test_namespace_must_be_a_dns_label() -> None:
    assert where(admission.check(thing(namespace="Team_A"), SIMPLE)) == [
        (("metadata", "namespace"), "admission-metadata", Severity.ERROR)]


def test_finalizers_are_qualified_names() -> None:
    data = thing(finalizers=["example.com/cleanup", "bad finalizer"])
    assert where(admission.check(data, SIMPLE)) == [(("metadata", "finalizers", 1), "admission-metadata",
                                                      Severity.ERROR)]


def test_cluster_scoped_custom_resource_with_namespace_is_flagged() -> None:
    schema = crd_schema({"type": "object"}, scope="Cluster")
    assert where(admission.check(thing(namespace="default"), schema)) == [
        (("metadata", "namespace"), "admission-metadata", Severity.WARNING)]
    assert admission.check(thing(namespace="default"), SIMPLE) == []


def test_cluster_scoped_builtin_with_namespace_is_flagged() -> None:
    role = core("rbac.authorization.k8s.io/v1", "ClusterRole", "reader")
    role["metadata"]["namespace"] = "default"
    assert where(admission.check_core(role, "1.33")) == [(("metadata", "namespace"), "admission-metadata",
                                                          Severity.WARNING)]


def test_unserved_version_is_an_error_naming_the_served_ones() -> None:
    schema = crd_schema({"type": "object"}, served=False, version="v1beta1")
    findings = admission.check(thing(version="v1beta1"), schema)
    assert where(findings) == [(("apiVersion",), "admission-served", Severity.ERROR)]
    assert findings[0].message == "example.com/v1beta1 is not served by this CRD; served: v1"


def test_deprecated_version_is_a_warning() -> None:
    schema = crd_schema({"type": "object"}, deprecated=True)
    assert where(admission.check(thing(), schema)) == [(("apiVersion",), "admission-served", Severity.WARNING)]


def test_custom_resource_result_carries_cel_findings_and_skipped_rules() -> None:
    spec = {"type": "object", "properties": {"a": {"type": "string", "x-kubernetes-validations": [
        {"rule": "self == oldSelf"}, {"rule": "self != 'bad'"}]}}}
    result = admission.check_custom_resource(thing({"a": "bad"}), crd_schema(spec))
    assert where(result.findings) == [(("spec", "a"), "cel", Severity.ERROR)]
    assert [s.path for s in result.skipped] == [("spec", "a")]


def deployment(containers: list[dict[str, Any]]) -> dict[str, Any]:
    return core("apps/v1", "Deployment", "api", spec={"selector": {}, "template": {"spec": {"containers": containers}}})


def test_builtin_duplicate_container_names() -> None:
    data = deployment([{"name": "api", "image": "a"}, {"name": "api", "image": "b"}])
    assert where(admission.check_core(data, "1.33")) == [
        (("spec", "template", "spec", "containers", 1), "admission-list-map", Severity.ERROR)]


def test_builtin_ports_default_protocol_to_tcp() -> None:
    ok = deployment([{"name": "api", "ports": [{"containerPort": 8080}, {"containerPort": 8080, "protocol": "UDP"}]}])
    assert admission.check_core(ok, "1.33") == []
    dup = deployment([{"name": "api", "ports": [{"containerPort": 8080}, {"containerPort": 8080, "protocol": "TCP"}]}])
    assert where(admission.check_core(dup, "1.33")) == [
        (("spec", "template", "spec", "containers", 0, "ports", 1), "admission-list-map", Severity.ERROR)]


def test_builtin_duplicate_env_names() -> None:
    data = deployment([{"name": "api", "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}])
    assert [f.path for f in admission.check_core(data, "1.33")] == [
        ("spec", "template", "spec", "containers", 0, "env", 1)]


def test_builtin_kind_unknown_to_the_bundled_schemas_gets_metadata_checks_only() -> None:
    assert where(admission.check_core(core("example.com/v1", "Widget", "Bad_Name"), "1.33")) == [
        (("metadata", "name"), "admission-metadata", Severity.ERROR)]


@pytest.mark.parametrize(("check", "value", "valid"), [
    (k8snames.is_dns1123_label, "a" * 63, True),
    (k8snames.is_dns1123_label, "a" * 64, False),
    (k8snames.is_dns1123_label, "0abc", True),
    (k8snames.is_dns1035_label, "0abc", False),
    (k8snames.is_dns1123_subdomain, "a.b-c.d", True),
    (k8snames.is_dns1123_subdomain, "a..b", False),
    (k8snames.is_qualified_name, "example.com/name", True),
    (k8snames.is_qualified_name, "/name", False),
    (k8snames.is_qualified_name, "example.com/", False),
    (k8snames.is_label_value, "", True),
    (k8snames.is_label_value, "a_b.c-d", True),
    (k8snames.is_label_value, "a_", False),
    (k8snames.is_path_segment_name, "..", False),
    (k8snames.is_path_segment_name, "a%2f", False),
])
def test_name_syntax(check: Any, value: str, valid: bool) -> None:
    assert (not check(value)) is valid


def test_generate_name_masks_the_trailing_dash() -> None:
    assert not k8snames.name_is_dns_subdomain("job-", prefix=True)
    assert k8snames.name_is_dns_subdomain("job-", prefix=False)
