"""Turn Pydantic's validation errors into located problems a user can act on.

Pydantic reports a `loc` tuple in model terms (with union tags and validator names in it); the
user wrote YAML. We walk the loc along the data the user wrote to recover the YAML path, look up
its line and column, and rewrite the message: the bad value as the user typed it (`1.30`, not
the float 1.3; `<redacted>` when it looks like a secret), what it should be, and for unknown keys
the closest allowed key. A hint only suggests what fixes that value: quotes are suggested for a
number where text belongs, and their removal only for a quoted number.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from gitopsgen.core.problems import Problem, YamlPath, dotted
from gitopsgen.spec.loader import SpecSource

UNION_TAGS = ("mode", "type", "method")
"""The keys that tell the variants of the spec's discriminated unions apart (redis.mode, edge.type,
postgres.backup.method); a test checks the models use no other."""


def _yaml_path(loc: tuple[Any, ...], data: Any) -> YamlPath:
    """Follow Pydantic's loc through the user's data, dropping union tags and validator names."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            path.append(part)
            node = node[part] if part < len(node) else None
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and part in {node.get(tag) for tag in UNION_TAGS}:
            continue  # discriminated-union tag
        elif isinstance(part, str) and (part == "[key]" or "[" in part):
            continue  # dict-key marker or validator name
        else:
            path.append(part)
            node = None
    return tuple(path)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Optional/Annotated/Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def model_at(root: type[BaseModel], path: YamlPath, data: Any) -> type[BaseModel] | None:
    """The model class that describes the mapping at `path`, if any."""
    candidates: list[Any] = [root]
    node = data
    for part in path:
        nxt: list[Any] = []
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(cand, type) and issubclass(cand, BaseModel) and isinstance(part, str):
                for name, info in cand.model_fields.items():
                    if part in (info.alias, name):
                        nxt.extend(_unwrap(info.annotation))
            elif origin is dict:
                nxt.extend(_unwrap(typing.get_args(cand)[1]))
            elif origin is list:
                nxt.extend(_unwrap(typing.get_args(cand)[0]))
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
        models = [c for c in nxt if isinstance(c, type) and issubclass(c, BaseModel)]
        if len(models) > 1 and isinstance(node, dict):  # discriminated union: pick by the tag
            tagged = [m for m in models if _tag_matches(m, node)]
            models = tagged or models
        candidates = models + [c for c in nxt if typing.get_origin(c) in (dict, list)]
        if not candidates:
            return None
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if models else None


def _tag_matches(model: type[BaseModel], node: dict[str, Any]) -> bool:
    for tag in UNION_TAGS:
        info = model.model_fields.get(tag)
        if info is not None and node.get(tag) in typing.get_args(info.annotation):
            return True
    return False


def union_tags(root: type[BaseModel], path: YamlPath, data: Any, tag: str) -> list[str]:
    """The tag values of the discriminated union at `path` (e.g. redis.mode: standalone, sentinel)."""
    parent = model_at(root, path[:-1], data)
    if parent is None:
        return []
    tags: list[str] = []
    for name, info in parent.model_fields.items():
        if path[-1] in (info.alias, name):
            for variant in _unwrap(info.annotation):
                field = variant.model_fields.get(tag) if isinstance(variant, type) and issubclass(
                    variant, BaseModel) else None
                if field is not None:
                    tags.extend(str(arg) for arg in typing.get_args(field.annotation))
    return tags


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def suggest(key: str, options: list[str]) -> str | None:
    lowered = {o.lower(): o for o in options}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    return close[0] if close else None


REDACTED = "<redacted>"


def _shown(value: Any, written: str | None = None) -> str:
    if written is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return written
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) or value is None:
        return "null" if value is None else repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _describe(field_model: type[BaseModel] | None, key: str) -> str | None:
    if field_model is None:
        return None
    for name, info in field_model.model_fields.items():
        if key in (info.alias, name) and info.description:
            return " ".join(info.description.split("\n\n")[0].split())  # the first paragraph, whole
    return None


def invalid_paths(exc: ValidationError, source: SpecSource) -> list[YamlPath]:
    """The YAML paths of the fields that failed validation."""
    return [_yaml_path(tuple(err["loc"]), source.data) for err in exc.errors(include_url=False)]


def _type_hint(kind: str, value: Any, path: YamlPath, source: SpecSource) -> str | None:
    """A hint that fixes a value of the wrong YAML type, checked against what it suggests."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string_type" and number:
        written = source.written(path) or repr(value)
        return f'quote it so YAML keeps it a string: "{written}"'
    if kind == "int_type" and isinstance(value, str):
        if path in source.quoted and re.fullmatch(r"[-+]?[0-9]+", value):
            return "remove the quotes: YAML reads a quoted value as a string"
        return "write a whole number, such as 2"
    if kind == "bool_type" and isinstance(value, str):
        if path in source.quoted and value in ("true", "false"):
            return "remove the quotes: YAML reads a quoted value as a string"
        return "write true or false"
    return None


def problems_from_validation(exc: ValidationError, source: SpecSource, root_model: type[BaseModel],
                             secret_paths: frozenset[YamlPath] = frozenset()) -> list[Problem]:
    """Located problems for Pydantic's errors; values at `secret_paths` are never shown."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc_parts = tuple(err["loc"])
        path = _yaml_path(loc_parts, source.data)
        value = err.get("input")
        secret = path in secret_paths
        hint: str | None = None
        parent = model_at(root_model, path[:-1], source.data) if path else None
        key = path[-1] if path else ""

        if kind == "missing":
            message = "required key is missing"
            hint = _describe(parent, str(key))
            loc = source.locate_missing(path)
        elif kind == "extra_forbidden":
            message = "unknown key"
            options = allowed_keys(parent) if parent else []
            guess = suggest(str(key), options)
            if guess:
                hint = f"did you mean '{guess}'?"
            elif options:
                hint = "allowed keys: " + ", ".join(options)
            loc = source.locate(path, prefer_key=True)
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            ctx = err.get("ctx", {})
            tag = ctx.get("discriminator", "").strip("'")
            expected = ctx.get("expected_tags", "")
            path = (*path, tag)
            if kind == "union_tag_invalid":
                got = REDACTED if (*path[:-1], tag) in secret_paths else _shown(ctx.get("tag"))
                message = f"must be one of {expected}, got {got}"
                loc = source.locate(path)
            else:
                message = f"required key is missing: it says which kind of {dotted(path[:-1])} this is"
                tags = union_tags(root_model, path[:-1], source.data, tag)
                hint = "one of " + ", ".join(f"'{t}'" for t in tags) if tags else None
                loc = source.locate_missing(path)
        else:
            message = err["msg"]
            got = REDACTED if secret else _shown(value, source.written(path))
            if kind in ("model_type", "dict_type", "model_attributes_type"):
                message = "must be a mapping of `key: value` settings"
                if not isinstance(value, dict):
                    message += ", got a list" if isinstance(value, list) else f", got {got}"
            elif kind == "list_type" and not isinstance(value, list):
                message = f"must be a list, got {got}"
            elif not isinstance(value, (dict, list)):
                message += f", got {got}"
            hint = _type_hint(kind, value, path, source)
            if hint is None and kind.startswith(("string_", "literal")):
                hint = _describe(parent, str(key))
            loc = source.locate(path, prefer_key=isinstance(value, (dict, list)))
        problems.append(Problem(loc.file, loc.line, loc.column, dotted(path), message,
                                rule="spec", hint=hint))
    return problems
