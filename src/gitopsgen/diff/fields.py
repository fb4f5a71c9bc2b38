"""Field-level comparison of two JSON-shaped values, where key order never counts.

`field_changes(old, new)` lists the smallest changed subtrees as YAML paths with old and new
values. Mapping keys match by name. Sequences match by position, except lists of named items
(`containers`, `env`, `ports`, `volumes`: every item a mapping with a unique `name`) whose common
names keep their order: those match by name, so inserting one env var reports one added item, not
every item after it. Paths are real paths into the document of the new side (the old side for a
removed item). Types count: `1`, `1.0`, `true` and `"1"` are four different values.

`align(old, new)` reorders the keys of `old` like those of `new`, so a unified diff of the two
shows changed values and not key moves.
"""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import YamlPath
from gitopsgen.diff.model import MISSING, FieldChange


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, recursively (Python's `==` says `1 == 1.0 == True`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def field_changes(old: Any, new: Any, path: YamlPath = ()) -> list[FieldChange]:
    if same(old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[FieldChange] = []
        for k, v in new.items():
            out.extend(field_changes(old[k], v, (*path, k)) if k in old else [FieldChange((*path, k), MISSING, v)])
        out.extend(FieldChange((*path, k), v, MISSING) for k, v in old.items() if k not in new)
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _named_list(old, new, path) or _positional(old, new, path)
    return [FieldChange(path, old, new)]


def _positional(old: list[Any], new: list[Any], path: YamlPath) -> list[FieldChange]:
    out: list[FieldChange] = []
    for i in range(max(len(old), len(new))):
        if i >= len(old):
            out.append(FieldChange((*path, i), MISSING, new[i]))
        elif i >= len(new):
            out.append(FieldChange((*path, i), old[i], MISSING))
        else:
            out.extend(field_changes(old[i], new[i], (*path, i)))
    return out


def _names(items: list[Any]) -> list[str] | None:
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if not items or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return None
    return names  # type: ignore[return-value]


def _named_list(old: list[Any], new: list[Any], path: YamlPath) -> list[FieldChange]:
    """Changes of a list of named items matched by name; [] when matching by name does not apply."""
    old_names, new_names = _names(old), _names(new)
    if old_names is None or new_names is None:
        return []
    common_new = [n for n in new_names if n in old_names]
    if common_new != [n for n in old_names if n in new_names]:
        return []  # reordered: positions tell the story better
    out: list[FieldChange] = []
    old_at = {name: i for i, name in enumerate(old_names)}
    for j, name in enumerate(new_names):
        if name in old_at:
            out.extend(field_changes(old[old_at[name]], new[j], (*path, j)))
        else:
            out.append(FieldChange((*path, j), MISSING, new[j]))
    kept = set(new_names)
    out.extend(FieldChange((*path, i), old[i], MISSING) for i, name in enumerate(old_names) if name not in kept)
    return out


def align(old: Any, new: Any) -> Any:
    """`old` with mapping keys in `new`'s order (keys only `old` has keep their place at the end)."""
    if isinstance(old, dict) and isinstance(new, dict):
        ordered = {k: align(old[k], new[k]) for k in new if k in old}
        ordered.update((k, v) for k, v in old.items() if k not in new)
        return ordered
    if isinstance(old, list) and isinstance(new, list):
        new_by_name = dict(zip(_names(new) or [], new, strict=False))
        if new_by_name and _names(old):
            return [align(item, new_by_name.get(item["name"])) for item in old]
        return [align(o, n) for o, n in zip(old, new, strict=False)] + old[len(new):]
    return old
