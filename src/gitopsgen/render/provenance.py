"""Spec values that remember where they were written.

Before rendering, every scalar of the template variable `spec` (and of the model `names` is
derived from) that the user wrote in a spec file is replaced by an equal `str`/`int`/`float`
subclass carrying `environments/prd.yaml:LINE:COL`. They compare, hash, format and serialise
exactly like the plain values, so templates and filters behave the same; the output tracer
(`render.trace`) reads the location when such a value is written, and `q`/`toyaml` pass it on.
Booleans cannot be subclassed and carry no location; derived names keep it only when they are
the spec value itself (`names.redis.name`), not a string built from it (`names.postgres.host`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from gitopsgen.core.problems import YamlPath
from gitopsgen.spec.loader import SpecSource

if TYPE_CHECKING:
    from gitopsgen.spec import LoadedSpec

Located = tuple[tuple[str, Any], ...]
"""(`file:line:col`, value) of the spec values behind a piece of output."""


class SpecStr(str):
    spec_loc: str


class SpecInt(int):
    spec_loc: str


class SpecFloat(float):
    spec_loc: str


_TAINTED = (SpecStr, SpecInt, SpecFloat)


def _mark(value: Any, where: str) -> Any:
    cls = SpecStr if isinstance(value, str) else SpecInt if isinstance(value, int) else SpecFloat
    marked = cls(value)
    marked.spec_loc = where
    return marked


def mark_data(data: Any, source: SpecSource, path: YamlPath = ()) -> Any:
    """A copy of plain spec data (YAML keys) whose written scalars carry their location."""
    if isinstance(data, dict):
        return {k: mark_data(v, source, (*path, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [mark_data(v, source, (*path, i)) for i, v in enumerate(data)]
    if isinstance(data, (str, int, float)) and not isinstance(data, bool) and path in source.value_locs:
        loc = source.value_locs[path]
        return _mark(data, f"{loc.file}:{loc.line}:{loc.column}")
    return data


def mark_model(model: BaseModel, source: SpecSource, path: YamlPath = ()) -> Any:
    """A copy of a validated model whose written scalar fields carry their location (built with
    `model_copy`, so nothing is validated again)."""
    update: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = info.alias or name
        marked = _mark_value(value, source, (*path, key))
        if marked is not value:
            update[name] = marked
    return model.model_copy(update=update) if update else model


def _mark_value(value: Any, source: SpecSource, path: YamlPath) -> Any:
    if isinstance(value, BaseModel):
        return mark_model(value, source, path)
    if isinstance(value, (dict, list)):
        return mark_data(value, source, path)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and path in source.value_locs:
        loc = source.value_locs[path]
        return _mark(value, f"{loc.file}:{loc.line}:{loc.column}")
    return value


def located(value: Any) -> Located:
    """The spec locations inside `value`: itself, or its items for lists and mappings."""
    if isinstance(value, _TAINTED):
        return ((value.spec_loc, value),)
    if isinstance(value, dict):
        return tuple(loc for v in value.values() for loc in located(v))
    if isinstance(value, (list, tuple)):
        return tuple(loc for v in value for loc in located(v))
    if isinstance(value, BaseModel):
        return tuple(loc for name in type(value).model_fields for loc in located(getattr(value, name)))
    return getattr(value, "spec_locs", ())


def located_context(loaded: LoadedSpec) -> dict[str, Any]:
    """`context.build_context`, with the spec's written values carrying their locations."""
    from gitopsgen.context.derive import build_context

    context = build_context(replace(loaded, model=mark_model(loaded.model, loaded.source)))
    context["spec"] = mark_data(context["spec"], loaded.source)
    return context
