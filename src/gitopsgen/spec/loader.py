"""Read environment specs with the position of every key and value.

`environments/defaults.yaml` (optional) is merged under each `environments/<env>.yaml`: mappings
merge key by key, anything else (lists included) is replaced by the environment's value. Every
node remembers which file and line it came from, so an error in a value inherited from the
defaults points at the defaults file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitopsgen.errors import SpecError, UsageError
from gitopsgen.layout import ENVIRONMENTS
from gitopsgen.problems import Problem
from gitopsgen.yamlio import dig

DEFAULTS_NAME = "defaults"
_ENV_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Loc:
    file: str
    line: int
    column: int


@dataclass
class SpecSource:
    """A merged spec as plain data, plus where each path was written."""

    env: str
    data: dict[str, Any]
    files: list[str]
    key_locs: dict[YamlPath, Loc] = field(default_factory=dict)
    value_locs: dict[YamlPath, Loc] = field(default_factory=dict)

    def locate_missing(self, path: YamlPath) -> Loc:
        """Where to ask for a missing key: its nearest ancestor written in the environment's own
        file (the most specific place to add it), else the top of that file."""
        env_file = self.files[-1]
        for depth in range(len(path) - 1, 0, -1):
            loc = self.key_locs.get(path[:depth])
            if loc is not None and loc.file == env_file:
                return loc
        return Loc(env_file, 1, 1)

    def locate(self, path: YamlPath, *, prefer_key: bool = False) -> Loc:
        """The best location for `path`: itself if written, else its nearest written ancestor."""
        for depth in range(len(path), 0, -1):
            sub = path[:depth]
            if depth == len(path) and not prefer_key and sub in self.value_locs:
                return self.value_locs[sub]
            if sub in self.key_locs:
                return self.key_locs[sub]
        return Loc(self.files[-1], 1, 1)


def environments_dir(root: Path) -> Path:
    return root / ENVIRONMENTS


def list_environments(root: Path) -> list[str]:
    directory = environments_dir(root)
    if not directory.is_dir():
        return []
    return sorted(
        p.stem for p in directory.glob("*.yaml")
        if p.stem != DEFAULTS_NAME and not p.stem.startswith((".", "_"))
    )


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _round_trip_yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any, path: YamlPath, file: str, source: SpecSource) -> Any:
    """Convert ruamel's round-trip nodes to plain Python data, recording positions."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarbool import ScalarBoolean
    from ruamel.yaml.scalarfloat import ScalarFloat
    from ruamel.yaml.scalarint import ScalarInt

    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key in node:
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            child = (*path, str(key))
            source.key_locs[child] = Loc(file, kline + 1, kcol + 1)
            source.value_locs[child] = Loc(file, vline + 1, vcol + 1)
            out[str(key) if isinstance(key, str) else key] = _plain(node[key], child, file, source)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            child = (*path, i)
            source.key_locs[child] = Loc(file, line + 1, col + 1)
            source.value_locs[child] = Loc(file, line + 1, col + 1)
            items.append(_plain(item, child, file, source))
        return items
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, (ScalarInt, int)):
        return int(node)
    if isinstance(node, (ScalarFloat, float)):
        return float(node)
    if isinstance(node, str):
        return str(node)
    # Timestamps and other tagged scalars: keep the text the user wrote.
    return str(node)


def _read_yaml(path: Path, shown: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(Problem(shown, message=f"is not UTF-8 text ({exc.reason})")) from exc
    except OSError as exc:
        raise SpecError(Problem(shown, message=f"cannot be read: {exc.strerror}")) from exc
    try:
        return _round_trip_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part).strip() for part in (exc.context, exc.problem) if part)
        if "duplicate key" in message or type(exc).__name__ == "DuplicateKeyError":
            key = re.search(r'found duplicate key "([^"]*)"', str(exc))
            first = exc.context_mark
            message = f"duplicate key '{key.group(1) if key else '?'}'"
            hint = f"first defined on line {first.line + 1}" if first is not None else None
        else:
            hint = "check indentation and quoting near this line"
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise SpecError(Problem(shown, line, col, message=f"invalid YAML: {message}",
                                rule="yaml", hint=hint)) from exc
    except YAMLError as exc:
        raise SpecError(Problem(shown, message=f"invalid YAML: {exc}", rule="yaml")) from exc


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return over


def _prune_locs(locs: dict[YamlPath, Loc], data: Any) -> dict[YamlPath, Loc]:
    """Drop positions of default-file nodes that the environment replaced (e.g. list items)."""

    missing = object()
    return {p: loc for p, loc in locs.items() if dig(data, *p, default=missing) is not missing}


def load_spec_source(root: Path, env: str) -> SpecSource:
    """Read and merge the files of `env` (defaults first). Raises SpecError or UsageError."""
    directory = environments_dir(root)
    known = list_environments(root)
    if env == DEFAULTS_NAME:
        raise UsageError(f"'{DEFAULTS_NAME}' is the shared defaults file, not an environment "
                         f"(environments: {', '.join(known) or 'none'})")
    env_file = directory / f"{env}.yaml"
    if env_file.is_file() and not _ENV_NAME.fullmatch(env):
        raise UsageError(Problem(_display(env_file, root), message=f"'{env}' is not a valid environment name",
                                 rule="usage", hint="use a DNS label (lowercase letters, digits, '-'): "
                                 "it becomes rendered/<env>/ and part of resource names"))
    if not env_file.is_file():
        hint = f"known environments: {', '.join(known)}" if known else (
            f"no environments found in {_display(directory, root)}/")
        raise UsageError(Problem(_display(env_file, root), message=f"unknown environment '{env}'",
                                 rule="usage", hint=hint))

    files = [p for p in (directory / f"{DEFAULTS_NAME}.yaml", env_file) if p.is_file()]
    source = SpecSource(env=env, data={}, files=[_display(p, root) for p in files])
    merged: Any = {}
    for path, shown in zip(files, source.files, strict=True):
        raw = _read_yaml(path, shown)
        layer = SpecSource(env=env, data={}, files=[shown])
        plain = {} if raw is None else _plain(raw, (), shown, layer)  # an empty file sets nothing
        if not isinstance(plain, dict):
            raise SpecError(Problem(shown, 1, 1, message="must be a mapping of settings at the top level"))
        merged = _merge(merged, plain)
        source.key_locs = _prune_locs(source.key_locs, merged) | layer.key_locs
        source.value_locs = _prune_locs(source.value_locs, merged) | layer.value_locs
    source.data = merged
    return source
