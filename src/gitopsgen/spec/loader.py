"""Read environment specs with the position of every key and value.

`environments/defaults.yaml` (optional) is merged under each `environments/<env>.yaml`: mappings
merge key by key, anything else (lists included) is replaced by the environment's value. Every
node remembers which file and line it came from, so an error in a value inherited from the
defaults points at the defaults file; the loader also keeps which scalars were quoted and the
text of each file, so hints can quote what the user wrote (`1.30`, not the float `1.3`).

Hostile or broken files fail fast with a located message (see `gitopsgen.facts.limits`): size, UTF-8,
nesting depth and alias expansion are bounded; `.yml` files are refused, never ignored.
"""

from __future__ import annotations

import copy
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitopsgen.core.errors import SpecError, UsageError
from gitopsgen.core.problems import Problem, YamlPath
from gitopsgen.facts import limits
from gitopsgen.facts.layout import ENVIRONMENTS
from gitopsgen.tree.yamlio import dig

DEFAULTS_NAME = "defaults"
SUFFIX = ".yaml"
REFUSED_SUFFIX = ".yml"
_ENV_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
NOT_A_SECRET = re.compile(r"#\s*gitopsgen:\s*not-a-secret\b")
"""The comment that marks a value on its line as not a secret (a false positive of the scan)."""



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
    quoted: set[YamlPath] = field(default_factory=set)
    """Paths of scalars the user quoted (`"2"`, `'x'`)."""
    texts: dict[str, str] = field(default_factory=dict)
    """The text of each file, by the name shown to users."""

    def written(self, path: YamlPath) -> str | None:
        """The scalar at `path` as the user typed it (`1.30`), when it is a plain one-line scalar."""
        loc = self.value_locs.get(path)
        text = self.texts.get(loc.file) if loc is not None else None
        if loc is None or text is None:
            return None
        lines = text.splitlines()
        if not 0 < loc.line <= len(lines):
            return None
        match = re.match(r"[^\s,#\]}]+", lines[loc.line - 1][loc.column - 1:])
        return match.group() if match else None

    def marked_not_secret(self, path: YamlPath) -> bool:
        """True when the line holding the value at `path` carries `# gitopsgen: not-a-secret`."""
        loc = self.value_locs.get(path)
        text = self.texts.get(loc.file) if loc is not None else None
        if loc is None or text is None:
            return False
        lines = text.splitlines()
        return 0 < loc.line <= len(lines) and NOT_A_SECRET.search(lines[loc.line - 1]) is not None

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
        p.stem for p in directory.glob(f"*{SUFFIX}")
        if p.stem != DEFAULTS_NAME and not p.stem.startswith((".", "_"))
    )


def refused_files(root: Path) -> list[Path]:
    """`environments/*.yml`: refused with a message rather than silently skipped."""
    directory = environments_dir(root)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"*{REFUSED_SUFFIX}") if not p.name.startswith("."))


def refused_file_problem(path: Path, root: Path) -> Problem:
    return Problem(_display(path, root), message=f"gitopsgen reads environments/*{SUFFIX} files only",
                   rule="usage", hint=f"rename it to {_display(path.with_suffix(SUFFIX), root)}")


def env_name_problem(env: str) -> str | None:
    """Why `env` cannot name an environment (it becomes rendered/<env>/ and part of names)."""
    if _ENV_NAME.fullmatch(env) and len(env) <= 63:
        return None
    return f"'{env}' is not a valid environment name"


ENV_NAME_HINT = ("use a DNS label (lowercase letters, digits, '-'): it becomes rendered/<env>/ and part of "
                 "resource names")


def unknown_environment(root: Path, env: str) -> UsageError:
    directory = environments_dir(root)
    known = list_environments(root)
    shown = _display(directory / f"{env}{SUFFIX}", root)
    if not directory.is_dir():
        return UsageError(Problem(_display(directory, root), message="environments folder not found",
                                  rule="usage", hint=f"create {shown}"))
    close = difflib.get_close_matches(env, known, n=1, cutoff=0.5)
    listing = f"known environments: {', '.join(known)}" if known else (
        f"no environments found in {_display(directory, root)}/")
    hint = f"did you mean '{close[0]}'? ({listing})" if close else listing
    return UsageError(Problem(shown, message=f"unknown environment '{env}'", rule="usage", hint=hint))


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _round_trip_yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True
    return yaml


class _Budget:
    """Counts the values of a file as `_plain` expands it (aliases included), and remembers the
    containers already met: meeting one again is an alias (`*name`)."""

    def __init__(self) -> None:
        self.values = 0
        self.seen: set[int] = set()


def _too_big(file: str, loc: Loc | None, what: str) -> SpecError:
    return SpecError(Problem(file, loc.line if loc else None, loc.column if loc else None,
                             message=what, rule="yaml",
                             hint="write the values out; see 'Limits' in the README"))


def _plain(node: Any, path: YamlPath, file: str, source: SpecSource, budget: _Budget,
           alias: YamlPath | None = None) -> Any:
    """Convert ruamel's round-trip nodes to plain Python data, recording positions. Aliases are
    expanded, so the number of values and the depth are bounded (`gitopsgen.facts.limits`); past a
    bound, the problem points at the alias being expanded (`alias`, the outermost one)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarbool import ScalarBoolean
    from ruamel.yaml.scalarfloat import ScalarFloat
    from ruamel.yaml.scalarint import ScalarInt
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    budget.values += 1
    if isinstance(node, (CommentedMap, CommentedSeq)):
        if id(node) in budget.seen and alias is None:
            alias = path
        budget.seen.add(id(node))
    where = source.value_locs.get(alias if alias is not None else path)
    if budget.values > limits.MAX_SPEC_VALUES:
        raise _too_big(file, where, f"holds more than {limits.MAX_SPEC_VALUES:,} values once YAML aliases "
                       "are expanded")
    if len(path) > limits.MAX_SPEC_DEPTH:
        raise _too_big(file, where, f"nests deeper than {limits.MAX_SPEC_DEPTH} levels")
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key in node:
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            child = (*path, str(key))
            source.key_locs[child] = Loc(file, kline + 1, kcol + 1)
            source.value_locs[child] = Loc(file, vline + 1, vcol + 1)
            out[str(key) if isinstance(key, str) else key] = _plain(node[key], child, file, source, budget, alias)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            child = (*path, i)
            source.key_locs[child] = Loc(file, line + 1, col + 1)
            source.value_locs[child] = Loc(file, line + 1, col + 1)
            items.append(_plain(item, child, file, source, budget, alias))
        return items
    if isinstance(node, (DoubleQuotedScalarString, SingleQuotedScalarString)):
        source.quoted.add(path)
        return str(node)
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


def _read_text(path: Path, shown: str) -> str:
    try:
        return limits.read_text(path, limits.MAX_SPEC_BYTES)
    except limits.InputRefused as exc:
        raise SpecError(Problem(shown, exc.line, exc.column, message=exc.message, rule="input",
                                hint=exc.hint)) from exc
    except OSError as exc:
        raise SpecError(Problem(shown, message=f"cannot be read: {exc.strerror}", rule="input")) from exc


def _read_yaml(text: str, shown: str) -> Any:
    """The round-trip YAML of a spec file's text (the slow path: see `_fast_plain`)."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return _round_trip_yaml().load(text)
    except RecursionError as exc:
        raise SpecError(Problem(shown, message=f"nests deeper than {limits.MAX_SPEC_DEPTH} levels",
                                rule="yaml")) from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part).strip() for part in (exc.context, exc.problem) if part)
        if "duplicate key" in message or type(exc).__name__ == "DuplicateKeyError":
            key = re.search(r'found duplicate key "([^"]*)"', str(exc))
            first = exc.context_mark
            message = f"duplicate key '{key.group(1) if key else '?'}'"
            hint = f"first defined on line {first.line + 1}" if first is not None else None
        elif "'\\t'" in message:
            message = message.replace("'\\t'", "a tab")
            hint = "YAML does not allow tabs for indentation: use spaces"
        else:
            hint = "check indentation and quoting near this line"
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise SpecError(Problem(shown, line, col, message=f"invalid YAML: {message}",
                                rule="yaml", hint=hint)) from exc
    except YAMLError as exc:
        raise SpecError(Problem(shown, message=f"invalid YAML: {exc}", rule="yaml")) from exc


def _layer(env: str, shown: str, text: str) -> tuple[SpecSource, Any]:
    """One file's plain data and positions: through the fast path when it takes the text, else
    through ruamel's round-trip loader, whose errors and limits users see. Memoised by text
    (`environments/defaults.yaml` is read once per environment of a run)."""
    key = (shown, text)
    cached = _layers.get(key)
    if cached is None:
        layer = SpecSource(env=env, data={}, files=[shown])
        plain = _fast_plain(text, shown, layer)
        if plain is _SLOW:
            layer = SpecSource(env=env, data={}, files=[shown])
            raw = _read_yaml(text, shown)
            plain = {} if raw is None else _plain(raw, (), shown, layer, _Budget())  # an empty file sets nothing
        if len(_layers) > _MAX_LAYERS:
            _layers.clear()
        _layers[key] = cached = (layer, plain)
    layer, plain = cached
    # callers merge and mutate: hand out copies (cheap: a spec holds hundreds of values)
    copied = SpecSource(env=env, data={}, files=[shown], key_locs=dict(layer.key_locs),
                        value_locs=dict(layer.value_locs), quoted=set(layer.quoted))
    return copied, copy.deepcopy(plain)


_layers: dict[tuple[str, str], tuple[SpecSource, Any]] = {}
_MAX_LAYERS = 8
_SLOW = object()


def _fast_plain(text: str, file: str, source: SpecSource) -> Any:
    """`_plain` of the text's round-trip YAML, from libyaml's nodes (`yamlio.compose_fast`, YAML
    1.2 as the round-trip loader reads specs) and ruamel's round-trip constructor for scalars that
    are not strings: the same data, positions and quoted paths. `_SLOW` when the round-trip
    loader must decide: anchors and aliases (their limits point at the alias), merge keys,
    duplicate keys, keys that are not strings, tags, empty values, NEL and the Unicode line
    separators, a limit reached, any YAML error."""
    import yaml

    from gitopsgen.tree import yamlio

    if "&" in text or any(c in text for c in _OTHER_BREAKS):
        return _SLOW
    roots = yamlio.compose_fast(text, (1, 2))
    if roots is None or len(roots) > 1:
        return _SLOW
    if not roots:
        return {}  # an empty file sets nothing
    scalar_node, mapping_node = yaml.ScalarNode, yaml.MappingNode
    values = 0

    def convert(node: Any, path: YamlPath) -> Any:
        nonlocal values
        values += 1
        if values > limits.MAX_SPEC_VALUES or len(path) > limits.MAX_SPEC_DEPTH:
            raise yamlio.NotFast
        cls = type(node)
        if cls is scalar_node:
            if not node.value and not node.style:
                raise yamlio.NotFast  # an empty value: the round-trip parser places it at the next token
            if node.tag == yamlio.STR_TAG:
                if node.style in ("'", '"'):
                    source.quoted.add(path)
                return node.value
            return _rt_scalar(node.tag, node.value)
        if cls is mapping_node:
            if node.tag != yamlio.MAP_TAG:
                raise yamlio.NotFast
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not scalar_node or key_node.tag != yamlio.STR_TAG:
                    raise yamlio.NotFast
                key = key_node.value
                if key in out:
                    raise yamlio.NotFast
                child = (*path, key)
                mark, value_mark = key_node.start_mark, value_node.start_mark
                source.key_locs[child] = Loc(file, mark.line + 1, mark.column + 1)
                source.value_locs[child] = Loc(file, value_mark.line + 1, value_mark.column + 1)
                out[key] = convert(value_node, child)
            return out
        if node.tag != yamlio.SEQ_TAG:
            raise yamlio.NotFast
        items = []
        for i, item in enumerate(node.value):
            child = (*path, i)
            mark = item.start_mark
            source.key_locs[child] = source.value_locs[child] = Loc(file, mark.line + 1, mark.column + 1)
            items.append(convert(item, child))
        return items

    try:
        return convert(roots[0], ())
    except (yamlio.NotFast, RecursionError):
        return _SLOW


_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
"""Line breaks to libyaml (YAML 1.1), not to the round-trip parser (1.2): lines would differ."""

_rt_scalars: dict[tuple[str, str], Any] = {}
_MAX_RT_SCALARS = 5_000


def _rt_scalar(tag: str, value: str) -> Any:
    """A scalar that is not a string, as the round-trip loader and `_plain` make it (memoised)."""
    key = (tag, value)
    if key not in _rt_scalars:
        from gitopsgen.tree import yamlio

        if len(_rt_scalars) > _MAX_RT_SCALARS:
            _rt_scalars.clear()

        node = yamlio.construct_scalar(_rt_constructor(), tag, value)
        _rt_scalars[key] = _plain(node, (), "", SpecSource("", {}, []), _Budget())
    return _rt_scalars[key]


@functools.cache
def _rt_constructor() -> Any:
    return _round_trip_yaml().constructor


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


def check_environment(root: Path, env: str) -> Path:
    """The spec file of `env`, or the UsageError that says why there is none."""
    directory = environments_dir(root)
    if env == DEFAULTS_NAME:
        known = list_environments(root)
        raise UsageError(Problem(_display(directory / f"{env}{SUFFIX}", root), message=(
            f"'{DEFAULTS_NAME}' is the shared defaults file, not an environment"), rule="usage",
            hint=f"environments: {', '.join(known) or 'none'}"))
    env_file = directory / f"{env}{SUFFIX}"
    why = env_name_problem(env)
    if why is not None:
        raise UsageError(Problem(_display(env_file if env_file.is_file() else directory, root), message=why,
                                 rule="usage", hint=ENV_NAME_HINT))
    refused = [p for p in (directory / f"{env}{REFUSED_SUFFIX}", directory / f"{DEFAULTS_NAME}{REFUSED_SUFFIX}")
               if p.exists()]
    if refused:
        raise UsageError([refused_file_problem(p, root) for p in refused])
    if not env_file.exists():
        raise unknown_environment(root, env)
    return env_file


def load_spec_source(root: Path, env: str) -> SpecSource:
    """Read and merge the files of `env` (defaults first). Raises SpecError or UsageError."""
    env_file = check_environment(root, env)
    defaults = environments_dir(root) / f"{DEFAULTS_NAME}{SUFFIX}"
    files = [p for p in (defaults, env_file) if p.exists()]
    source = SpecSource(env=env, data={}, files=[_display(p, root) for p in files])
    merged: Any = {}
    for path, shown in zip(files, source.files, strict=True):
        text = _read_text(path, shown)
        source.texts[shown] = text
        layer, plain = _layer(env, shown, text)
        if not isinstance(plain, dict):
            what = "a list" if isinstance(plain, list) else "a single value"
            raise SpecError(Problem(shown, 1, 1, message=f"must be a mapping of settings at the top level, "
                                    f"not {what}", hint="write `key: value` lines, e.g. `namespace: example-prd`"))
        merged = _merge(merged, plain)
        source.key_locs = _prune_locs(source.key_locs, merged) | layer.key_locs
        source.quoted = {p for p in source.quoted if p not in layer.value_locs} | layer.quoted
        source.value_locs = _prune_locs(source.value_locs, merged) | layer.value_locs
        source.quoted &= source.value_locs.keys()
    source.data = merged
    return source
