"""CustomResourceDefinition -> one strict draft-07 JSON Schema per (group, kind, version).

THE OUTPUT FORMAT IS A CONTRACT: the admission/CEL layer reads these files, and the differential
test compares them with an independent conversion (tests/test_store_upstream.py).

* One schema per entry of `spec.versions`, served or not, at `{group}/{kind lowercased}_{version}.json`.
* `"$schema": "http://json-schema.org/draft-07/schema#"`; `description` and `example` dropped everywhere
  (no upstream prose in our repository); every other keyword kept as upstream wrote it.
* Strict: an object schema that declares `properties`, has no `additionalProperties` and is not
  `x-kubernetes-preserve-unknown-fields: true` gets `additionalProperties: false`, the root included;
  nothing under `allOf`/`anyOf`/`oneOf`/`not` is closed (those branches only add constraints to a
  node whose fields are declared outside them, and closing a branch would reject those fields).
* Kubernetes extensions translated, and every `x-kubernetes-*` keyword kept beside the translation
  (validators ignore unknown keywords; the admission layer reads them):
  `x-kubernetes-int-or-string: true` drops `type` and keeps (or adds) `anyOf: [{type: integer},
  {type: string}]`; `nullable: true` adds "null" to `type` and to `enum` (for an int-or-string, a
  `{type: "null"}` branch); `x-kubernetes-list-type: set` adds `uniqueItems: true`; an
  `x-kubernetes-embedded-resource` object that is closed also accepts `apiVersion`, `kind` and
  `metadata`, which the API server allows there implicitly; OpenAPI 3.0 boolean
  `exclusiveMinimum`/`exclusiveMaximum` become the draft-07 numbers; a Go RE2 `(?i)` in a
  `pattern` becomes character classes of both cases (`gitopsgen.store.patterns`).
* At the root: `apiVersion` and `kind` plain strings, `metadata` `{type: object}` (metadata syntax is
  the admission layer's job), and `x-gitopsgen-crd` = {group, kind, version, plural, scope, served,
  storage, deprecated, servedVersions}, so a validator holding one file can say "not served;
  served: v1".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
CRD_KEYWORD = "x-gitopsgen-crd"

_DROPPED = frozenset({"description", "example"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"})
_SCHEMA_VALUES = frozenset({"additionalProperties", "additionalItems", "items", "contains", "propertyNames", "not",
                            "if", "then", "else", "unevaluatedItems", "unevaluatedProperties"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_JUNCTORS = frozenset({"allOf", "anyOf", "oneOf", "not"})
# What the API server accepts for these names; they become file names, so nothing else may pass.
_GROUP = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_VERSION = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_EMBEDDED_ROOT = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}


@dataclass(frozen=True)
class CrdSchema:
    path: str
    """`{group}/{kind lowercased}_{version}.json`"""
    group: str
    kind: str
    version: str
    schema: dict[str, Any]


def dumps(data: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, UTF-8, one trailing newline; one-space indent keeps
    files diffable line by line at two thirds of the size of two spaces (CRD schemas nest deep)."""
    return (json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def walk_schema(node: Any, visit: Any, *, closable: bool = True) -> Any:
    """Rebuild a JSON Schema bottom-up: `visit(new_node, closable)` gets every schema object after
    its subschemas were rebuilt. Keyword values that are data (enum, default, const...) are shared,
    never walked; names under `properties` are field names, never keywords."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: walk_schema(sub, visit, closable=closable) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            inner = closable and key not in _JUNCTORS
            out[key] = [walk_schema(sub, visit, closable=inner) for sub in value]
        elif key in _SCHEMA_VALUES:
            inner = closable and key not in _JUNCTORS
            if isinstance(value, list):
                out[key] = [walk_schema(sub, visit, closable=inner) for sub in value]
            else:
                out[key] = walk_schema(value, visit, closable=inner)
        elif key == "dependencies" and isinstance(value, dict):
            out[key] = {name: walk_schema(sub, visit, closable=closable) if isinstance(sub, dict) else sub
                        for name, sub in value.items()}
        else:
            out[key] = value
    return visit(out, closable)


def strip_prose(schema: Any) -> Any:
    """A JSON Schema without `description`, `example` and `examples` (for charts' values.schema.json)."""

    def visit(node: dict[str, Any], _closable: bool) -> dict[str, Any]:
        return {k: v for k, v in node.items() if k not in _DROPPED and k != "examples"}

    return walk_schema(schema, visit)


def _translate(node: dict[str, Any], closable: bool) -> dict[str, Any]:
    node = {k: v for k, v in node.items() if k not in _DROPPED}
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    if int_or_string:
        node.pop("type", None)
        node.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") is True:
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            node["type"] = [*kind, "null"]
        elif kind is None and int_or_string and {"type": "null"} not in node["anyOf"]:
            node["anyOf"] = [*node["anyOf"], {"type": "null"}]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    if node.get("x-kubernetes-list-type") == "set":
        node["uniqueItems"] = True
    if isinstance(node.get("pattern"), str):
        from gitopsgen.store.patterns import portable

        node["pattern"] = portable(node["pattern"])
    for bound in ("Minimum", "Maximum"):
        exclusive = node.get(f"exclusive{bound}")
        if isinstance(exclusive, bool):
            limit = node.get(bound.lower())
            if exclusive and limit is not None:
                node[f"exclusive{bound}"] = limit
                del node[bound.lower()]
            else:
                del node[f"exclusive{bound}"]
    if (closable and isinstance(node.get("properties"), dict) and "additionalProperties" not in node
            and node.get("x-kubernetes-preserve-unknown-fields") is not True):
        node["additionalProperties"] = False
        if node.get("x-kubernetes-embedded-resource") is True:
            node["properties"] = {**_EMBEDDED_ROOT, **node["properties"]}
    return node


def _versions(spec: dict[str, Any]) -> list[dict[str, Any]]:
    versions = spec.get("versions")
    if isinstance(versions, list) and versions:
        return [v for v in versions if isinstance(v, dict)]
    # apiextensions.k8s.io/v1beta1: one `version` and a CRD-wide `validation`
    if isinstance(spec.get("version"), str):
        return [{"name": spec["version"], "served": True, "storage": True}]
    return []


def crd_schemas(crd: dict[str, Any]) -> list[CrdSchema]:
    """Every version of a parsed CustomResourceDefinition as a strict JSON Schema.
    Raises ValueError naming the first missing field when the document is not a usable CRD."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        raise ValueError("spec is missing")
    names: dict[str, Any] = spec["names"] if isinstance(spec.get("names"), dict) else {}
    group, kind, plural = spec.get("group"), names.get("kind"), names.get("plural")
    for field, value in (("spec.group", group), ("spec.names.kind", kind), ("spec.names.plural", plural)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{field} is missing")
    assert isinstance(group, str) and isinstance(kind, str) and isinstance(plural, str)
    if not _GROUP.fullmatch(group) or not _KIND.fullmatch(kind):
        raise ValueError(f"spec.group {group!r} or spec.names.kind {kind!r} is not a valid name")
    versions = _versions(spec)
    if not versions or not all(isinstance(v.get("name"), str) and _VERSION.fullmatch(v["name"]) for v in versions):
        raise ValueError("spec.versions is missing or has a version without a valid name")
    served = sorted(v["name"] for v in versions if v.get("served") is True)
    validation = spec.get("validation")
    shared_schema = validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
    out = []
    for version in versions:
        holder = version.get("schema")
        upstream = holder.get("openAPIV3Schema", shared_schema) if isinstance(holder, dict) else shared_schema
        if not isinstance(upstream, dict):
            upstream = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        declared = isinstance(upstream.get("properties"), dict)
        schema = walk_schema(upstream, _translate)
        schema.setdefault("type", "object")
        properties = dict(schema.get("properties") or {})
        properties.update({"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                           "metadata": {"type": "object"}})
        schema["properties"] = properties
        if (declared and "additionalProperties" not in schema
                and schema.get("x-kubernetes-preserve-unknown-fields") is not True):
            schema["additionalProperties"] = False
        schema["$schema"] = DRAFT_07
        schema[CRD_KEYWORD] = {
            "group": group, "kind": kind, "version": version["name"], "plural": plural,
            "scope": spec.get("scope") if spec.get("scope") in ("Namespaced", "Cluster") else "Namespaced",
            "served": version.get("served") is True, "storage": version.get("storage") is True,
            "deprecated": version.get("deprecated") is True, "servedVersions": served,
        }
        name = version["name"]
        out.append(CrdSchema(f"{group}/{kind.lower()}_{name}.json", group, kind, name, schema))
    return out
