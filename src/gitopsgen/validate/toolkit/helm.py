"""Helm's coalescing of values files over a chart's defaults."""

from __future__ import annotations

import copy
from typing import Any

from gitopsgen.tree.manifests import RenderedTree


def coalesce(base: Any, override: Any) -> Any:
    """Helm's merge of `override` (higher precedence) onto `base`; neither is modified. Mappings
    merge key by key, anything else is replaced, and a null deletes the key ("When the YAML value
    is null ... we remove the value's key", Helm docs)."""
    if not isinstance(override, dict) or not isinstance(base, dict):
        return _drop_nulls(copy.deepcopy(override))
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = _drop_nulls(copy.deepcopy(value))
    return merged


def overlay(base: Any, override: Any) -> Any:
    """`coalesce(base, override)` without the copies, for reading: equal to it, with the same key
    order, but sharing every node it leaves as it is with `base` and `override`. Never edit the
    result (nor its inputs while it is in use)."""
    if not isinstance(override, dict) or not isinstance(base, dict):
        return _drop_nulls(override)
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = _drop_nulls(value)
    return merged


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value


def merged_values(tree: RenderedTree, paths: list[str], defaults: Any = None) -> Any:
    """The values files at `paths` coalesced in order over `defaults`, as Helm does (read-only:
    shares nodes with its inputs, see `overlay`)."""
    merged: Any = defaults if defaults is not None else {}
    for path in paths:
        doc = tree.first(path)
        merged = overlay(merged, doc.data if doc is not None and doc.data is not None else {})
    return merged
