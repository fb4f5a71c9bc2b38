"""A custom resource's data as Kubernetes' CEL rules see it: defaulted, pruned and typed by its schema.

An API server never evaluates `x-kubernetes-validations` on the raw request body. Before the rules
run, the object is defaulted and pruned, and each node becomes a CEL value typed by its schema.
`to_cel(value, schema)` reproduces that for one node, so that a rule gives the same answer here
as on a cluster:

* Defaulting (apiextensions-apiserver `pkg/apiserver/schema/defaulting/algorithm.go`, `Default`):
  an absent property with a `default` gets it, recursively; a `null` in a non-nullable property
  with a default gets the default too. A rule such as `self.mode == 'x'` on a node whose `mode`
  the schema defaults sees the default instead of failing with "no such key".
* Nulls (apiserver `pkg/cel/common/values.go`, `unstructuredMap.Find`): in an object with
  properties, a `null` field is the same as an absent one (`has()` is false).
* Visibility (`UnstructuredToVal`, `unstructuredMap.Find`): only declared properties are visible
  on an object; at a resource root or an `x-kubernetes-embedded-resource` node `apiVersion`,
  `kind`, `metadata.name` and `metadata.generateName` are visible too
  (`model.WithTypeAndObjectMeta`), nothing else of `metadata`.
* Names (apiserver `pkg/cel/escaping.go`, `Escape`): property names that are CEL keywords or hold
  `.`, `-`, `/` or `__` are reached escaped (`self.__namespace__`, `self.foo__dash__bar`);
  names that cannot be escaped are not reachable. Map keys (additionalProperties) are not escaped.
* Types (`UnstructuredToVal`): a `type: number` integer is a double; int-or-string stays an int or
  a string. Strings with `format: date-time`, `duration` or `byte` stay strings here (Kubernetes
  makes them timestamps, durations or bytes); a rule comparing them as such reports the overload
  error instead of passing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_RESERVED = frozenset({
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
    "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
})
_EXPAND = re.compile(r"(__|[-./]|[^a-zA-Z0-9\-./_])")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"__": "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__"}
_META_VISIBLE = ("name", "generateName")


def escape(name: str) -> str | None:
    """The CEL identifier of a property name (apiserver pkg/cel/escaping.go `Escape`); None if unreachable."""
    if not name or name[0].isdigit():
        return None
    if name in _RESERVED:
        return f"__{name}__"
    if _PLAIN.fullmatch(name) and "__" not in name:
        return name
    parts: list[str] = []
    pos = 0
    for match in _EXPAND.finditer(name):
        replacement = _ESCAPES.get(match.group(0))
        if replacement is None:
            return None
        parts.append(name[pos:match.start()])
        parts.append(replacement)
        pos = match.end()
    parts.append(name[pos:])
    return "".join(parts)


def schema_types(schema: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types a node declares, whether `type` is a string or a list (our store's nullable form)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset((declared,))
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    return frozenset()


def is_nullable(schema: Mapping[str, Any]) -> bool:
    return bool(schema.get("nullable")) or "null" in schema_types(schema)


@dataclass(eq=False)
class Shape:
    """What conversion needs to know about one schema node, computed once per node."""

    kind: str
    """object | map | list | number | other"""
    props: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    names: dict[str, str | None] = field(default_factory=dict)
    defaults: tuple[tuple[str, Any], ...] = ()
    additional: Mapping[str, Any] | None = None
    items: Mapping[str, Any] | None = None
    embedded: bool = False


_SHAPES: dict[int, tuple[Mapping[str, Any], Shape]] = {}


def shape_of(schema: Mapping[str, Any]) -> Shape:
    cached = _SHAPES.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    shape = _make_shape(schema)
    _SHAPES[id(schema)] = (schema, shape)
    return shape


def _make_shape(schema: Mapping[str, Any]) -> Shape:
    types = schema_types(schema)
    embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    if schema.get("x-kubernetes-int-or-string"):
        return Shape("other")
    props = schema.get("properties")
    if isinstance(props, Mapping) or embedded:
        props = dict(props or {})
        defaults = tuple((k, s["default"]) for k, s in props.items() if isinstance(s, Mapping) and "default" in s)
        return Shape("object", props=props, names={k: escape(k) for k in props}, defaults=defaults,
                     embedded=embedded)
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        return Shape("map", additional=additional)
    items = schema.get("items")
    if isinstance(items, Mapping):
        return Shape("list", items=items)
    if "number" in types:
        return Shape("number")
    return Shape("other")


def to_cel(value: Any, schema: Mapping[str, Any], resource_root: bool = False) -> Any:
    """`value` as a rule at `schema` sees it (see the module docstring); the input is not modified."""
    shape = shape_of(schema)
    kind = shape.kind
    if kind == "object":
        if not isinstance(value, dict):
            return value
        return _object(value, shape, resource_root or shape.embedded)
    if kind == "map":
        if not isinstance(value, dict):
            return value
        sub = shape.additional
        assert sub is not None
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if item is None:
                if is_nullable(sub):
                    out[key] = None
                elif "default" in sub:
                    out[key] = to_cel(sub["default"], sub)
                continue
            out[key] = to_cel(item, sub)
        return out
    if kind == "list":
        if not isinstance(value, list):
            return value
        sub = shape.items
        assert sub is not None
        if shape_of(sub).kind == "other" and "default" not in sub:
            return value
        return [to_cel(sub["default"], sub) if item is None and "default" in sub and not is_nullable(sub)
                else to_cel(item, sub) for item in value]
    if kind == "number":
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return value


def _object(value: dict[str, Any], shape: Shape, typed_meta: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    props, names = shape.props, shape.names
    for key, item in value.items():
        if typed_meta and key in ("apiVersion", "kind", "metadata"):
            if key == "metadata":
                if isinstance(item, dict):
                    out[key] = {k: item[k] for k in _META_VISIBLE if item.get(k) is not None}
            elif item is not None:
                out[key] = item
            continue
        sub = props.get(key)
        if sub is None:
            continue  # unknown or pruned field: not visible to rules
        name = names[key]
        if name is None:
            continue
        if item is None:
            if "default" in sub and not is_nullable(sub):
                out[name] = to_cel(sub["default"], sub)
            continue  # a null field of an object is an absent field
        out[name] = to_cel(item, sub)
    for key, default in shape.defaults:
        if key not in value:
            name = names[key]
            if name is not None:
                out[name] = to_cel(default, props[key])
    return out
