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


_NO_DEFAULT: Any = object()


@dataclass(eq=False)
class Shape:
    """What conversion needs to know about one schema node, computed once per node; children lazily."""

    schema: Mapping[str, Any]
    kind: str
    """object | map | list | number | other (left as it is)"""
    nullable: bool
    default: Any
    embedded: bool = False
    _children: dict[str, tuple[str | None, Shape]] | None = field(default=None, repr=False)
    _defaults: tuple[tuple[str, str, Shape], ...] = field(default=(), repr=False)

    def children(self) -> dict[str, tuple[str | None, Shape]]:
        """property name -> (CEL name or None when unreachable, shape)"""
        if self._children is None:
            props = self.schema.get("properties")
            props = props if isinstance(props, Mapping) else {}
            self._children = {k: (escape(k), shape_of(sub)) for k, sub in props.items() if isinstance(sub, Mapping)}
            self._defaults = tuple((k, name, sub) for k, (name, sub) in self._children.items()
                                   if name is not None and sub.default is not _NO_DEFAULT)
        return self._children

    def element(self) -> Shape:
        """The shape of additionalProperties values (map) or items (list)."""
        key = "additionalProperties" if self.kind == "map" else "items"
        return shape_of(self.schema[key])


_SHAPES: dict[int, tuple[Mapping[str, Any], Shape]] = {}


def shape_of(schema: Mapping[str, Any]) -> Shape:
    cached = _SHAPES.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    shape = Shape(schema, _kind(schema), is_nullable(schema), schema.get("default", _NO_DEFAULT),
                  bool(schema.get("x-kubernetes-embedded-resource")))
    _SHAPES[id(schema)] = (schema, shape)
    return shape


def _kind(schema: Mapping[str, Any]) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "other"
    if isinstance(schema.get("properties"), Mapping) or schema.get("x-kubernetes-embedded-resource"):
        return "object"
    if isinstance(schema.get("additionalProperties"), Mapping):
        return "map"
    if isinstance(schema.get("items"), Mapping):
        return "list"
    if "number" in schema_types(schema):
        return "number"
    return "other"


def to_cel(value: Any, schema: Mapping[str, Any], resource_root: bool = False) -> Any:
    """`value` as a rule at `schema` sees it (see the module docstring); the input is not modified."""
    shape = shape_of(schema)
    if resource_root and shape.kind == "object" and isinstance(value, dict):
        return _object(value, shape, True)
    return _convert(value, shape)


def _convert(value: Any, shape: Shape) -> Any:
    kind = shape.kind
    if kind == "object":
        return _object(value, shape, shape.embedded) if isinstance(value, dict) else value
    if kind == "map":
        if not isinstance(value, dict):
            return value
        sub = shape.element()
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if item is None:
                if sub.nullable:
                    out[key] = None
                elif sub.default is not _NO_DEFAULT:
                    out[key] = _convert(sub.default, sub)
                continue
            out[key] = item if sub.kind == "other" else _convert(item, sub)
        return out
    if kind == "list":
        if not isinstance(value, list):
            return value
        sub = shape.element()
        if sub.kind == "other" and sub.default is _NO_DEFAULT:
            return value
        fill = sub.default is not _NO_DEFAULT and not sub.nullable
        return [_convert(sub.default if item is None and fill else item, sub) for item in value]
    if kind == "number":
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return value


def _object(value: dict[str, Any], shape: Shape, typed_meta: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    children = shape.children()
    for key, item in value.items():
        entry = children.get(key)
        if typed_meta and key in ("apiVersion", "kind", "metadata"):
            if key == "metadata":
                if isinstance(item, dict):
                    out[key] = {k: item[k] for k in _META_VISIBLE if item.get(k) is not None}
            elif item is not None:
                out[key] = item
            continue
        if entry is None:
            continue  # unknown or pruned field: not visible to rules
        name, sub = entry
        if name is None:
            continue
        if item is None:
            if sub.default is not _NO_DEFAULT and not sub.nullable:
                out[name] = _convert(sub.default, sub)
            continue  # a null field of an object is an absent field
        out[name] = item if sub.kind == "other" else _convert(item, sub)
    for key, name, sub in shape._defaults:
        if key not in value:
            out[name] = _convert(sub.default, sub)
    return out
