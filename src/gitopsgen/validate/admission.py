"""Admission semantics JSON Schema cannot say, for custom resources and core kinds.

One entry point per kind of manifest, both pure functions of a document's data:

* `check_custom_resource(data, schema)` for a custom resource, with the JSON Schema of its CRD
  version from our store (or the raw `openAPIV3Schema` of a CRD): the served version, metadata,
  list maps, sets, embedded resources and the CEL rules (`gitopsgen.validate.cel`).
  `check(data, schema)` gives just its findings.
* `check_core(data, kubernetes_version)` for a built-in kind: metadata and list maps, with the
  `x-kubernetes-list-map-keys` that kubernetes-validate's bundled schemas carry (containers, env
  and volumes by name, container ports by (containerPort, protocol), service ports by (port,
  protocol), ...).

Rules (rule ids in brackets):

* [admission-served] A CRD version recorded with `served: false` in our store's
  `x-gitopsgen-crd` is rejected by the API server ("the server could not find the requested
  resource"); the finding names the served versions. A `deprecated` version is a warning.
* [admission-list-map] `x-kubernetes-list-type: map`: entries are unique by their
  `x-kubernetes-list-map-keys` tuple; the second entry of a key is an error,
  `Duplicate value: {"name":"x"}` (apiextensions-apiserver `pkg/apiserver/schema/listtype/validation.go`,
  `validateListMap`; duplicates in built-in lists break server-side apply and strategic merge the
  same way). A key field that is neither required (the schema layer reports those) nor defaulted,
  by the schema or by the API server (`protocol: TCP` on ports), must be present: server-side
  apply refuses "an element that omits key field" (structured-merge-diff).
* [admission-list-set] `x-kubernetes-list-type: set`: duplicates are errors, reported only when
  the schema lacks `uniqueItems` (our store translates `set` into `uniqueItems`, which the schema
  layer reports already; raw CRDs do not) (`validateListSet`).
* [admission-embedded], [admission-metadata]: see `gitopsgen.validate.objectmeta`.
* [cel]: see `gitopsgen.validate.cel`.

Plans (where the extensions live in a schema) are computed once per schema object, so a document
whose schema has none of these costs the metadata check and a dictionary lookup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from gitopsgen.core.problems import Finding, Severity, YamlPath
from gitopsgen.validate import cel, objectmeta

LIST_MAP = "admission-list-map"
LIST_SET = "admission-list-set"
SERVED = "admission-served"
CORE_KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP", "name": ""}
"""Key fields the API server defaults in built-in kinds (ports' protocol, LocalObjectReference.name)."""

Resolve = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass
class AdmissionResult:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[cel.SkippedRule] = field(default_factory=list)
    """Transition rules not evaluated (they run on update only), for -v."""


def check(data: Any, schema: Mapping[str, Any]) -> list[Finding]:
    return check_custom_resource(data, schema).findings


def check_custom_resource(data: Any, schema: Mapping[str, Any]) -> AdmissionResult:
    info = _info(schema)
    result = AdmissionResult(check_served(data, schema) if info.served_check else [])
    result.findings.extend(objectmeta.check_metadata(data, custom=True, cluster_scoped=info.cluster_scoped))
    if info.structure is not None:
        result.findings.extend(_walk(info.structure, data, ()))
    if info.cel:
        evaluated = cel.evaluate(data, schema)
        result.findings.extend(evaluated.findings)
        result.skipped.extend(evaluated.skipped)
    return result


@dataclass(frozen=True, eq=False)
class _Info:
    """What a schema asks of its documents, computed once per schema object."""

    served_check: bool
    cluster_scoped: bool | None
    structure: _Node | None
    cel: bool


_INFOS: dict[int, tuple[Mapping[str, Any], _Info]] = {}


def _info(schema: Mapping[str, Any]) -> _Info:
    cached = _INFOS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    crd = schema.get("x-gitopsgen-crd")
    scope = crd.get("scope") if isinstance(crd, Mapping) else None
    served_check = isinstance(crd, Mapping) and (crd.get("served") is False or bool(crd.get("deprecated")))
    info = _Info(served_check, None if scope is None else scope == "Cluster", _plan(schema, _no_refs, {}),
                 cel.has_rules(schema))
    _INFOS[id(schema)] = (schema, info)
    return info


def check_served(data: Any, schema: Mapping[str, Any]) -> list[Finding]:
    crd = schema.get("x-gitopsgen-crd")
    if not isinstance(crd, Mapping):
        return []
    api_version = data.get("apiVersion") if isinstance(data, dict) else None
    shown = api_version if isinstance(api_version, str) else f"{crd.get('group')}/{crd.get('version')}"
    served = [v for v in crd.get("servedVersions") or () if isinstance(v, str)]
    if crd.get("served") is False:
        return [Finding(("apiVersion",), f"{shown} is not served by this CRD; served: {', '.join(served) or 'none'}",
                        SERVED, hint=f"use apiVersion {crd.get('group')}/{served[-1]}" if served else None)]
    if crd.get("deprecated"):
        return [Finding(("apiVersion",), f"{shown} is deprecated", SERVED, Severity.WARNING,
                        hint=f"served: {', '.join(served)}" if served else None)]
    return []


def check_core(data: Any, kubernetes_version: str) -> list[Finding]:
    """Metadata and list-map findings for a built-in kind (`kubernetes_version` like "1.33")."""
    findings = objectmeta.check_metadata(data, custom=False, cluster_scoped=None)
    if isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
        loaded = _core_schema(kubernetes_version, data["apiVersion"], data["kind"])
        if loaded is not None:
            schema, resolve = loaded
            findings.extend(check_structure(data, schema, resolve=resolve, key_defaults=CORE_KEY_DEFAULTS))
    return findings


# -- list maps, sets and embedded resources ---------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    props: tuple[tuple[str, _Node], ...] = ()
    additional: _Node | None = None
    items: _Node | None = None
    map_keys: tuple[str, ...] = ()
    key_defaults: dict[str, Any] = field(default_factory=dict)
    key_required: frozenset[str] = frozenset()
    set_duplicates: bool = False
    embedded: bool = False


_PLANS: dict[tuple[int, int], tuple[Mapping[str, Any], _Node | None]] = {}


def check_structure(data: Any, schema: Mapping[str, Any], *, resolve: Resolve | None = None,
                    key_defaults: Mapping[str, Any] | None = None) -> list[Finding]:
    """List-map, set and embedded-resource findings of `data` under `schema` (with `$ref`s
    followed by `resolve`, and `key_defaults` for key fields defaulted outside the schema)."""
    plan = _plan(schema, resolve or _no_refs, dict(key_defaults or {}))
    if plan is None:
        return []
    return list(_walk(plan, data, ()))


def _no_refs(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    return schema


def _plan(schema: Mapping[str, Any], resolve: Resolve, key_defaults: dict[str, Any]) -> _Node | None:
    schema = resolve(schema)
    key = (id(schema), id(resolve))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is schema:
        return cached[1]
    _PLANS[key] = (schema, None)  # recursive definitions (JSONSchemaProps) end here
    node = _build(schema, resolve, key_defaults)
    _PLANS[key] = (schema, node)
    return node


def _build(schema: Mapping[str, Any], resolve: Resolve, key_defaults: dict[str, Any]) -> _Node | None:
    props = tuple((name, child) for name, sub in (schema.get("properties") or {}).items()
                  if isinstance(sub, Mapping) for child in (_plan(sub, resolve, key_defaults),) if child is not None)
    additional = items = None
    if isinstance(schema.get("additionalProperties"), Mapping):
        additional = _plan(schema["additionalProperties"], resolve, key_defaults)
    item_schema = resolve(schema["items"]) if isinstance(schema.get("items"), Mapping) else None
    if item_schema is not None:
        items = _plan(item_schema, resolve, key_defaults)
    node = _Node(props, additional, items, embedded=bool(schema.get("x-kubernetes-embedded-resource")))
    list_type = schema.get("x-kubernetes-list-type")
    keys = schema.get("x-kubernetes-list-map-keys")
    if list_type == "map" and isinstance(keys, list) and keys and item_schema is not None:
        node.map_keys = tuple(k for k in keys if isinstance(k, str))
        item_props = item_schema.get("properties") or {}
        for k in node.map_keys:
            sub = resolve(item_props[k]) if isinstance(item_props.get(k), Mapping) else {}
            if "default" in sub:
                node.key_defaults[k] = sub["default"]
            elif k in key_defaults:
                node.key_defaults[k] = key_defaults[k]
        node.key_required = frozenset(k for k in item_schema.get("required") or () if isinstance(k, str))
    elif list_type == "set" and not schema.get("uniqueItems"):
        node.set_duplicates = True
    if not (props or additional or items or node.map_keys or node.set_duplicates or node.embedded):
        return None
    return node


def _walk(node: _Node, value: Any, path: YamlPath) -> Iterator[Finding]:
    if isinstance(value, dict):
        if node.embedded:
            yield from objectmeta.check_embedded(value, path)
        for key, child in node.props:
            item = value.get(key)
            if item is not None:
                yield from _walk(child, item, (*path, key))
        if node.additional is not None:
            for key, item in value.items():
                yield from _walk(node.additional, item, (*path, key))
    elif isinstance(value, list):
        if node.map_keys:
            yield from _list_map(node, value, path)
        elif node.set_duplicates:
            yield from _duplicates(value, path, LIST_SET)
        if node.items is not None:
            for index, item in enumerate(value):
                yield from _walk(node.items, item, (*path, index))


def _list_map(node: _Node, entries: list[Any], path: YamlPath) -> Iterator[Finding]:
    keyed: list[Any] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            keyed.append(None)
            continue
        key: dict[str, Any] = {}
        for name in node.map_keys:
            if name in entry and entry[name] is not None:
                key[name] = entry[name]
            elif name in node.key_defaults:
                key[name] = node.key_defaults[name]
            elif name not in node.key_required:
                yield Finding((*path, index), f'associative list with keys has an element that omits key field '
                              f'"{name}" (and doesn\'t have default value)', LIST_MAP,
                              hint=f"entries of this list are identified by {', '.join(node.map_keys)}")
        keyed.append(key)
    yield from _duplicates(keyed, path, LIST_MAP)


def _marker(value: Any) -> Any:
    """A hashable stand-in for a list entry or key tuple; `1` and `true` stay apart, as in Go."""
    if isinstance(value, dict):
        items = tuple((k, type(v).__name__, v) for k, v in sorted(value.items()))
        try:
            hash(items)
            return items
        except TypeError:
            pass
    elif isinstance(value, (str, int, float, bool)) or value is None:
        return (type(value).__name__, value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _duplicates(values: list[Any], path: YamlPath, rule: str) -> Iterator[Finding]:
    if len(values) < 2:
        return
    seen: dict[Any, list[int]] = {}
    for index, value in enumerate(values):
        if value is None and rule == LIST_MAP:
            continue  # not an object: the schema layer reports it
        where = seen.setdefault(_marker(value), [])
        where.append(index)
        if len(where) == 2:  # upstream reports the first repetition of each value, once
            shown = json.dumps(value, separators=(",", ":"), default=str)
            yield Finding((*path, index), f"Duplicate value: {shown}", rule, hint=f"same as entry [{where[0]}]")


# -- built-in kinds: kubernetes-validate's bundled schemas ---------------------------------------------------


@cache
def _core_folder(version: str) -> tuple[FsPath, dict[str, Any]] | None:
    from gitopsgen.validate.core_schemas import core_schemas_folder

    folder = core_schemas_folder() / f"v{version}.0-local-strict"
    if not folder.is_dir():
        return None
    definitions = json.loads((folder / "_definitions.json").read_text())
    return folder, definitions.get("$defs") or definitions.get("definitions") or {}


@cache
def _core_schema(version: str, api_version: str, kind: str) -> tuple[Mapping[str, Any], Resolve] | None:
    found = _core_folder(version)
    if found is None:
        return None
    folder = found[0]
    # kubernetes-validate's file naming, as in gitopsgen.validate.schemas: rbac.authorization.k8s.io/v1 -> rbac-v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = folder / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text()), _resolver(version)


@cache
def _resolver(version: str) -> Resolve:
    found = _core_folder(version)
    definitions = found[1] if found else {}

    def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(8):
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                all_of = schema.get("allOf")
                if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
                    ref = all_of[0].get("$ref")
            if not isinstance(ref, str) or "/" not in ref:
                return schema
            target = definitions.get(ref.rpartition("/")[2])
            if not isinstance(target, Mapping):
                return schema
            schema = target
        return schema

    return resolve
