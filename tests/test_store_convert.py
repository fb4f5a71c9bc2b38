"""CRD -> JSON Schema conversion (gitopsgen.store.convert): the format other layers rely on."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from gitopsgen.store.convert import CRD_KEYWORD, DRAFT_07, crd_schemas, dumps, strip_prose
from store_support import crd


def _one(definition: dict[str, Any]) -> dict[str, Any]:
    (converted,) = crd_schemas(definition)
    return converted.schema


def _keys(node: Any) -> set[str]:
    """Every keyword used anywhere in a schema (property names excluded)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties":
                for sub in value.values():
                    found |= _keys(sub)
            else:
                found.add(key)
                found |= _keys(value)
    elif isinstance(node, list):
        for item in node:
            found |= _keys(item)
    return found


def test_one_draft_07_schema_per_version_served_or_not_in_the_catalog_layout() -> None:
    definition = crd(versions=[{"name": "v1", "served": True, "storage": True},
                               {"name": "v1beta1", "served": False, "storage": False, "deprecated": True}])
    converted = crd_schemas(definition)
    assert [c.path for c in converted] == ["example.org/widget_v1.json", "example.org/widget_v1beta1.json"]
    for item in converted:
        assert item.schema["$schema"] == DRAFT_07
        jsonschema.Draft7Validator.check_schema(item.schema)
    assert converted[1].schema[CRD_KEYWORD] == {
        "group": "example.org", "kind": "Widget", "version": "v1beta1", "plural": "widgets", "scope": "Namespaced",
        "served": False, "storage": False, "deprecated": True, "servedVersions": ["v1"],
    }
    assert converted[0].schema[CRD_KEYWORD]["served"] is True
    assert converted[0].schema[CRD_KEYWORD]["storage"] is True


def test_cluster_scope_is_recorded() -> None:
    assert _one(crd(scope="Cluster"))[CRD_KEYWORD]["scope"] == "Cluster"


def test_descriptions_and_examples_are_dropped_but_a_field_named_description_stays() -> None:
    definition = crd()
    definition["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["example"] = {"size": 1}
    schema = _one(definition)
    assert "description" not in _keys(schema) and "example" not in _keys(schema)
    assert schema["properties"]["spec"]["properties"]["description"] == {"type": "string"}


def test_objects_with_properties_are_closed_the_root_included() -> None:
    schema = _one(crd())
    assert schema["additionalProperties"] is False
    assert schema["properties"]["spec"]["additionalProperties"] is False
    validator = jsonschema.Draft7Validator(schema)
    good = {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 2}}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "extra": 1})
    assert not validator.is_valid({**good, "spec": {"size": 2, "sise": 3}})


@pytest.mark.parametrize("node, closed", [
    ({"type": "object", "properties": {"a": {"type": "string"}}}, True),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}, False),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "x-kubernetes-preserve-unknown-fields": True}, False),
    ({"type": "object", "additionalProperties": {"type": "string"}}, False),
    ({"type": "object"}, False),
])
def test_the_strict_rule(node: dict[str, Any], closed: bool) -> None:
    schema = _one(crd(spec_schema={"type": "object", "properties": {"x": node}}))
    converted = schema["properties"]["spec"]["properties"]["x"]
    assert (converted.get("additionalProperties") is False) is closed
    if "additionalProperties" in node:
        assert converted["additionalProperties"] == node["additionalProperties"]


def test_subschemas_under_junctors_are_not_closed() -> None:
    branch = {"properties": {"a": {"type": "string"}}, "required": ["a"]}
    spec = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "anyOf": [branch], "allOf": [branch], "oneOf": [branch], "not": {"properties": {"b": {"enum": ["x"]}}}}
    converted = _one(crd(spec_schema=spec))["properties"]["spec"]
    for junctor in ("anyOf", "allOf", "oneOf"):
        assert "additionalProperties" not in converted[junctor][0]
    assert "additionalProperties" not in converted["not"]
    assert converted["additionalProperties"] is False
    validator = jsonschema.Draft7Validator(_one(crd(spec_schema=spec)))
    assert validator.is_valid({"spec": {"a": "1", "b": "2"}})


def test_int_or_string_drops_type_and_keeps_or_adds_any_of() -> None:
    spec = {"type": "object", "properties": {
        "kept": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}],
                 "pattern": "^[0-9]+%?$"},
        "added": {"x-kubernetes-int-or-string": True, "type": "string"},
    }}
    props = _one(crd(spec_schema=spec))["properties"]["spec"]["properties"]
    assert props["kept"] == {"x-kubernetes-int-or-string": True, "pattern": "^[0-9]+%?$",
                             "anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert props["added"] == {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]}


def test_nullable_adds_null_to_type_and_enum() -> None:
    spec = {"type": "object", "properties": {
        "plain": {"type": "string", "nullable": True},
        "listed": {"type": ["string", "integer"], "nullable": True},
        "enum": {"type": "string", "enum": ["a", "b"], "nullable": True},
        "intOrString": {"x-kubernetes-int-or-string": True, "nullable": True},
    }}
    props = _one(crd(spec_schema=spec))["properties"]["spec"]["properties"]
    assert props["plain"]["type"] == ["string", "null"]
    assert props["listed"]["type"] == ["string", "integer", "null"]
    assert props["enum"]["enum"] == ["a", "b", None]
    assert {"type": "null"} in props["intOrString"]["anyOf"]
    validator = jsonschema.Draft7Validator(_one(crd(spec_schema=spec)))
    assert validator.is_valid({"spec": {"plain": None, "enum": None, "intOrString": None}})
    assert not validator.is_valid({"spec": {"enum": "c"}})


def test_list_type_set_requires_unique_items_and_every_extension_is_kept_verbatim() -> None:
    validations = [{"rule": "self.a != self.b", "message": "a and b differ", "messageExpression": "'x'",
                    "reason": "FieldValueInvalid", "fieldPath": ".a", "optionalOldSelf": True}]
    spec = {"type": "object", "x-kubernetes-validations": validations, "x-kubernetes-map-type": "granular",
            "properties": {
                "set": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                "map": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                        "x-kubernetes-embedded-resource": True},
            }}
    converted = _one(crd(spec_schema=spec))["properties"]["spec"]
    assert converted["x-kubernetes-validations"] == validations
    assert converted["x-kubernetes-map-type"] == "granular"
    assert converted["properties"]["set"]["uniqueItems"] is True
    assert converted["properties"]["set"]["x-kubernetes-list-type"] == "set"
    assert "uniqueItems" not in converted["properties"]["map"]
    assert converted["properties"]["map"]["x-kubernetes-list-map-keys"] == ["name"]
    assert converted["properties"]["raw"] == {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                                              "x-kubernetes-embedded-resource": True}


def test_a_closed_embedded_resource_still_takes_api_version_kind_and_metadata() -> None:
    spec = {"type": "object", "properties": {"template": {
        "type": "object", "x-kubernetes-embedded-resource": True,
        "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}
    validator = jsonschema.Draft7Validator(_one(crd(spec_schema=spec)))
    embedded = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
    assert validator.is_valid({"spec": {"template": embedded}})
    assert not validator.is_valid({"spec": {"template": {**embedded, "other": 1}}})


def test_openapi_boolean_exclusive_bounds_become_draft_07_numbers() -> None:
    spec = {"type": "object", "properties": {
        "a": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1, "exclusiveMaximum": False}}}
    prop = _one(crd(spec_schema=spec))["properties"]["spec"]["properties"]["a"]
    assert prop == {"type": "number", "exclusiveMinimum": 0, "maximum": 1}


def test_root_metadata_is_an_open_object_and_api_version_and_kind_plain_strings() -> None:
    definition = crd()
    root = definition["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    root["properties"]["metadata"] = {"type": "object", "properties": {"name": {"maxLength": 5, "type": "string"}}}
    root["properties"]["kind"] = {"type": "string", "enum": ["Widget"]}
    schema = _one(definition)
    assert schema["properties"]["metadata"] == {"type": "object"}
    assert schema["properties"]["apiVersion"] == {"type": "string"}
    assert schema["properties"]["kind"] == {"type": "string"}


def test_a_version_without_a_schema_accepts_any_object() -> None:
    definition = crd()
    del definition["spec"]["versions"][0]["schema"]
    validator = jsonschema.Draft7Validator(_one(definition))
    assert validator.is_valid({"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {}, "spec": {"x": 1}})


@pytest.mark.parametrize("broken, message", [
    (lambda d: d.pop("spec"), "spec is missing"),
    (lambda d: d["spec"].pop("group"), "spec.group is missing"),
    (lambda d: d["spec"]["names"].pop("plural"), "spec.names.plural is missing"),
    (lambda d: d["spec"].pop("versions"), "spec.versions is missing"),
])
def test_an_unusable_crd_says_what_is_missing(broken: Any, message: str) -> None:
    definition = crd()
    broken(definition)
    with pytest.raises(ValueError, match=message):
        crd_schemas(definition)


def test_dumps_is_deterministic_sorted_and_ends_with_one_newline() -> None:
    first = dumps({"b": 1, "a": {"d": [1, 2], "c": "é"}})
    assert first == dumps(json.loads(first))
    assert first.endswith(b"}\n") and not first.endswith(b"\n\n")
    assert first.index(b'"a"') < first.index(b'"b"')
    assert "é".encode() in first


def test_strip_prose_walks_schema_keywords_only() -> None:
    schema = {"description": "x", "properties": {"description": {"type": "string", "description": "y"}},
              "items": {"examples": [1], "type": "integer"}, "default": {"description": "data stays"}}
    assert strip_prose(schema) == {"properties": {"description": {"type": "string"}},
                                   "items": {"type": "integer"}, "default": {"description": "data stays"}}
