"""Turn Pydantic's validation errors into located problems a user can act on.

Pydantic reports a `loc` tuple in model terms (with union tags and validator names in it); the
user wrote YAML. We walk the loc along the data the user wrote to recover the YAML path, look up
its line and column, and rewrite the message: the bad value, what it should be, and for unknown
keys the closest allowed key.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from gitopsgen.problems import Problem, dotted
from gitopsgen.spec.loader import SpecSource, YamlPath


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
        elif isinstance(node, dict) and part in (node.get("mode"), node.get("type")):
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
    for tag in ("mode", "type"):
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


def _shown(value: Any) -> str:
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
            return info.description.splitlines()[0]
    return None


def problems_from_validation(exc: ValidationError, source: SpecSource,
                             root_model: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc_parts = tuple(err["loc"])
        if kind == "field_rule":  # a model validator naming the field it is about
            loc_parts = (*loc_parts, err["ctx"]["field"])
        path = _yaml_path(loc_parts, source.data)
        value = err.get("input")
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
                message = f"must be one of {expected}, got {_shown(ctx.get('tag'))}"
                loc = source.locate(path)
            else:
                message = f"required key is missing: it says which kind of {dotted(path[:-1])} this is"
                tags = union_tags(root_model, path[:-1], source.data, tag)
                hint = "one of " + ", ".join(f"'{t}'" for t in tags) if tags else None
                loc = source.locate_missing(path)
        else:
            message = err["msg"]
            if kind == "field_rule":
                pass
            elif kind not in ("model_type", "dict_type", "list_type") or not isinstance(value, (dict, list)):
                message += f", got {_shown(value)}"
            if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
                hint = f'quote it so YAML keeps it a string: "{value}"'
            elif kind in ("int_type", "bool_type") and isinstance(value, str):
                hint = "remove the quotes: YAML reads a quoted value as a string"
            else:
                hint = _describe(parent, str(key)) if kind.startswith(("string_", "literal")) else None
            loc = source.locate(path, prefer_key=kind != "field_rule" and isinstance(value, (dict, list)))
        problems.append(Problem(loc.file, loc.line, loc.column, dotted(path), message,
                                rule="spec", hint=hint))
    return problems
