"""YAML in and out.

Reading: rendered template output is parsed with YAML 1.1 rules, because that is how Kubernetes
(sigs.k8s.io/yaml, go-yaml v2) and Argo CD read the same text: `yes` is a boolean there, `010` is
eight. Timestamps stay strings: manifests carry them as strings and a `datetime` would not survive
the round trip unchanged. The rules are ruamel.yaml's safe loader's; the work is done by libyaml
through PyYAML's C composer, with ruamel's resolver and constructor asked once per distinct
scalar (`load_all`, 5x faster than ruamel's own C loader, whose constructor is pure Python); a
text the fast path does not take goes through ruamel's loader itself.

Writing: a small canonical emitter for JSON-shaped data (dict, list, str, int, float, bool, None).
It exists because the output must be byte-stable and unambiguous for *both* YAML 1.1 and 1.2
readers, which no general-purpose dumper guarantees:

* block style, two-space indentation, sequences indented under their key (yamllint's default);
* mapping keys in the order the template wrote them (the template author's order is the canonical
  one; it is deterministic because templates are);
* a string is written plain only when every YAML 1.1 and 1.2 reader would read it back as the same
  string; anything that could be read as a bool, null, number, timestamp or structure is
  double-quoted (JSON-style escapes, which YAML's double-quoted style shares);
* multi-line strings become literal blocks (`|`, `|-`, `|+`) when that is lossless;
* LF line endings and exactly one trailing newline.

`dump()` can also record the line of every node path, so a schema error's JSON path maps back to
a line in the rendered file without parsing it again.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import YamlPath

Positions = dict[tuple[int, YamlPath], int]

# --- scalars that must be quoted -------------------------------------------------------------

_AMBIGUOUS_WORDS = frozenset(
    w
    for base in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
    for w in (base, base.capitalize(), base.upper())
) | {"~", "", "<<", "=", "-", "?", ":"}

# Anything that starts like a number and contains only characters numbers are made of (any base,
# underscores, sexagesimal colons, exponents) is quoted: it may be an int or float in 1.1 or 1.2.
_NUMBERISH = re.compile(r"[-+]?[0-9.][0-9a-fA-FxXoObB_.:+eE-]*")
_INF_NAN = re.compile(r"[-+]?\.(inf|Inf|INF|nan|NaN|NAN)")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?")
# Characters allowed in a plain scalar we emit. Deliberately narrower than YAML allows.
_PLAIN = re.compile(r"[-A-Za-z0-9_./$(~\u00a0-\uffff][A-Za-z0-9_./:@+=,$()~%!*?&<>^|\u00a0-\uffff -]*")


def needs_quotes(value: str) -> bool:
    """True unless `value` reads back as the same string under both YAML 1.1 and YAML 1.2."""
    if value in _AMBIGUOUS_WORDS:
        return True
    if not _PLAIN.fullmatch(value):
        return True
    if value[-1] in " :" or ": " in value or " #" in value or value.startswith("- "):
        return True
    if _NUMBERISH.fullmatch(value) or _INF_NAN.fullmatch(value) or _TIMESTAMP.fullmatch(value):
        return True
    return not value.isprintable()


# What other readers take for a number although ruamel's resolvers do not (PyYAML's YAML 1.1
# floats such as -.5, go-yaml's exponent floats without a dot, numbers with underscores).
_OTHER_READERS = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?\.?(inf|Inf|INF|nan|NaN|NAN)"
    r"|[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)"
    r"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")


@functools.cache
def _resolvers() -> tuple[Any, ...]:
    from ruamel.yaml.resolver import VersionedResolver

    return tuple(VersionedResolver(version=v) for v in ((1, 1), (1, 2)))


def plain_is_string(value: str) -> bool:
    """True if `value`, written as a plain scalar, reads back as a string in YAML 1.1 and 1.2
    (ruamel's resolvers) and in the readers Kubernetes tools use (go-yaml, PyYAML). Precise where
    `needs_quotes` is merely safe: a checksum like `6936...df` is a string."""
    if not needs_quotes(value):
        return True
    if value in _AMBIGUOUS_WORDS or _OTHER_READERS.fullmatch(value) or _TIMESTAMP.fullmatch(value):
        return False
    if not _PLAIN.fullmatch(value) or value[-1] in " :" or ": " in value or " #" in value:
        return False
    from ruamel.yaml.nodes import ScalarNode

    return all(r.resolve(ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str" for r in _resolvers())


def _is_printable_char(ch: str) -> bool:
    # YAML treats NEL and the Unicode line/paragraph separators as line breaks in 1.1; escape them.
    return ch.isprintable() and ch not in "\x85\u2028\u2029\ufeff"


def double_quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON-compatible escapes) for any string."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'  # nothing to escape (NEL, the line separators and BOM are not printable)
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif _is_printable_char(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _literal_ok(value: str) -> bool:
    """A literal block keeps `value` exactly: printable lines, no leading indent, no trailing blanks."""
    if "\n" not in value or value.startswith((" ", "\t", "\n")):
        return False
    body = value.rstrip("\n")
    for line in body.split("\n"):
        if line != line.rstrip(" \t"):
            return False
        if any(not (_is_printable_char(c) or c == "\t") for c in line):
            return False
    return True


_string_texts: dict[str, str] = {}
"""Memo: a string's canonical single-line text (the quoting decision costs a few regex matches,
and rendered trees repeat the same keys and values over and over)."""
_MAX_STRING_TEXTS = 20_000


def _string_text(value: str) -> str:
    text = _string_texts.get(value)
    if text is None:
        text = double_quoted(value) if needs_quotes(value) else value
        if len(_string_texts) > _MAX_STRING_TEXTS:
            _string_texts.clear()
        _string_texts[str(value)] = text = str(text)
    return text


def scalar(value: Any) -> str:
    """The canonical single-line text of a scalar (strings that need a block are not handled here)."""
    if isinstance(value, str):
        return _string_text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text:  # YAML 1.1 floats need a dot: 1e+20 -> 1.0e+20
            mantissa, exp = text.split("e")
            text = f"{mantissa}.0e{exp}"
        return text
    raise TypeError(f"cannot emit {type(value).__name__} as YAML")


# --- emitter ---------------------------------------------------------------------------------


def _inline(value: Any, indent: int) -> str:
    """A value on the line of its key or dash: a scalar, `{}`, `[]`, or a literal block header and body."""
    if isinstance(value, str):
        if "\n" in value and _literal_ok(value):
            return _literal(value, indent)
        return _string_text(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def _literal(value: str, indent: int) -> str:
    stripped = value.rstrip("\n")
    trailing = len(value) - len(stripped)
    header = "|-" if trailing == 0 else "|" if trailing == 1 else "|+"
    pad = " " * (indent + 2)
    body = [pad + line if line else "" for line in stripped.split("\n")]
    body.extend([""] * (trailing - 1))
    return header + "\n" + "\n".join(body)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _string_text(key) if "\n" not in key else double_quoted(key)
    if isinstance(key, (int, float, bool)) or key is None:
        return scalar(key)
    raise TypeError(f"cannot emit a {type(key).__name__} mapping key")


def _mapping(value: dict[Any, Any], indent: int, prefix: str, lines: list[str]) -> None:
    """The fast emitter (no positions): the same text as `_Emitter.mapping`."""
    pad = " " * indent
    append = lines.append
    for k, v in value.items():
        head = f"{prefix}{_key(k)}:"
        if v and isinstance(v, dict):
            append(head)
            _mapping(v, indent + 2, pad + "  ", lines)
        elif v and isinstance(v, list):
            append(head)
            _sequence(v, indent + 2, pad + "  ", lines)
        else:
            append(f"{head} {_inline(v, indent)}")
        prefix = pad


def _sequence(value: list[Any], indent: int, prefix: str, lines: list[str]) -> None:
    pad = " " * indent
    append = lines.append
    for item in value:
        if item and isinstance(item, dict):
            _mapping(item, indent + 2, prefix + "- ", lines)
        elif item and isinstance(item, list):
            _sequence(item, indent + 2, prefix + "- ", lines)
        else:
            append(f"{prefix}- {_inline(item, indent)}")
        prefix = pad


class _Emitter:
    """The emitter that also records the line of every node path (for `RenderedFile.line_of`)."""

    def __init__(self, positions: Positions, doc: int, offset: int) -> None:
        self.lines: list[str] = []
        self.positions = positions
        self.doc = doc
        self.offset = offset

    def mark(self, path: YamlPath) -> None:
        self.positions[(self.doc, path)] = self.offset + len(self.lines) + 1

    def node(self, value: Any, indent: int, path: YamlPath) -> None:
        """Emit a top-level node or a value on lines of its own."""
        self.mark(path)
        if isinstance(value, dict) and value:
            self.mapping(value, indent, path, first_prefix=" " * indent)
        elif isinstance(value, list) and value:
            self.sequence(value, indent, path, first_prefix=" " * indent)
        else:
            self.lines.append(" " * indent + _inline(value, indent))

    def mapping(self, value: dict[Any, Any], indent: int, path: YamlPath, first_prefix: str) -> None:
        prefix = first_prefix
        for k, v in value.items():
            child = (*path, k)
            self.mark(child)
            head = f"{prefix}{_key(k)}:"
            if isinstance(v, dict) and v:
                self.lines.append(head)
                self.mapping(v, indent + 2, child, first_prefix=" " * (indent + 2))
            elif isinstance(v, list) and v:
                self.lines.append(head)
                self.sequence(v, indent + 2, child, first_prefix=" " * (indent + 2))
            else:
                self.lines.append(f"{head} {_inline(v, indent)}")
            prefix = " " * indent

    def sequence(self, value: list[Any], indent: int, path: YamlPath, first_prefix: str) -> None:
        prefix = first_prefix
        for i, item in enumerate(value):
            child = (*path, i)
            self.mark(child)
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, child, first_prefix=prefix + "- ")
            elif isinstance(item, list) and item:
                self.sequence(item, indent + 2, child, first_prefix=prefix + "- ")
            else:
                self.lines.append(f"{prefix}- {_inline(item, indent)}")
            prefix = " " * indent


def dump(documents: list[Any], positions: Positions | None = None) -> str:
    """Canonical text of one or more documents; `---` separates documents (none before the first).

    With `positions`, the 1-based line of every node path is recorded as `(doc, path) -> line`.
    """
    lines: list[str] = []
    for i, doc in enumerate(documents):
        if i:
            lines.append("---")
        if positions is not None:
            emitter = _Emitter(positions, i, offset=len(lines))
            emitter.node(doc, 0, ())
            lines.extend(emitter.lines)
        elif doc and isinstance(doc, dict):
            _mapping(doc, 0, "", lines)
        elif doc and isinstance(doc, list):
            _sequence(doc, 0, "", lines)
        else:
            lines.append(_inline(doc, 0))
    return "\n".join(lines) + "\n" if lines else ""


# --- reading ---------------------------------------------------------------------------------


@functools.cache
def _safe_loader() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor

    yaml = YAML(typ="safe", pure=False)
    yaml.version = (1, 1)

    class _Constructor(SafeConstructor):
        pass

    def _timestamp_as_text(constructor: Any, node: Any) -> str:
        return str(constructor.construct_scalar(node))

    _Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    # Plain scalars as kubectl and Argo CD read them (sigs.k8s.io/yaml's go-yaml v2), not as the spec's 1.1
    from gitopsgen.tree import goyaml

    _Constructor.add_constructor(goyaml.INT, goyaml.construct_int)
    _Constructor.add_constructor(goyaml.FLOAT, goyaml.construct_float)
    yaml.Constructor = _Constructor
    yaml.Resolver = goyaml.resolver_class(yaml.Resolver)
    return yaml


def load_all(text: str) -> list[Any]:
    """Parse every document of `text` (YAML 1.1 rules, duplicate keys refused); empty documents dropped.

    The fast path (`_fast_load_all`: libyaml through PyYAML composes, scalars are resolved and
    constructed by ruamel's own YAML 1.1 rules, memoised) gives the same data as ruamel's safe
    loader; anything it does not handle itself (a YAML error, a duplicate or merge key, an
    explicit tag, a recursive alias, a `%YAML` directive) goes through ruamel's loader, which
    gives the result or the error users see."""
    fast = _fast_load_all(text)
    if fast is not None:
        return fast
    return [doc for doc in _safe_loader().load_all(text) if doc is not None]


class NotFast(Exception):
    """The fast path leaves this text to ruamel's own loader (which gives the result or the error)."""


STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
_CONSTRUCTED = frozenset(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "timestamp"))
_MAX_MEMO = 20_000
"""Entries of each memo of the fast loader (tags, scalars); a full memo starts again: it holds
what repeats within an environment, and memory must not grow with the number of environments."""


@functools.cache
def _resolver(version: tuple[int, int]) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode

    yaml = _safe_loader() if version == (1, 1) else YAML(typ="safe", pure=True)
    yaml.version = version
    resolver = yaml.resolver
    resolver.resolve(ScalarNode, "", (True, False))  # builds its table for `version`
    return resolver


@functools.cache
def _fast_loader(version: tuple[int, int]) -> Any:
    """A PyYAML C loader class (libyaml) whose implicit tags are ruamel's for YAML `version`, or
    None without libyaml. Tags are memoised by scalar text."""
    try:
        import yaml
        from yaml import CBaseLoader
    except ImportError:  # pragma: no cover - PyYAML is a dependency; its C extension may be missing
        return None
    if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover
        return None
    from ruamel.yaml.nodes import ScalarNode

    resolver = _resolver(version)
    table = resolver.versioned_resolver
    first_chars = frozenset(k for k in table if k)
    """First characters an implicit resolver looks at: a plain scalar starting otherwise is a string."""
    any_first = None in table  # a resolver for any first character: look every scalar up
    tags: dict[str, str] = {}
    scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode

    class Loader(CBaseLoader):  # type: ignore[misc,unused-ignore]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_node:
                if implicit[0]:
                    if value and not any_first and value[0] not in first_chars:
                        return STR_TAG
                    tag = tags.get(value)
                    if tag is None:
                        if len(tags) > _MAX_MEMO:
                            tags.clear()
                        tag = tags[value] = str(resolver.resolve(ScalarNode, value, (True, False)))
                    return tag
                if not implicit[1]:
                    raise NotFast  # the non-specific tag `!`
                return STR_TAG
            return SEQ_TAG if kind is sequence_node else MAP_TAG

    return Loader


def compose_fast(text: str, version: tuple[int, int] = (1, 1)) -> list[Any] | None:
    """The root nodes (PyYAML's, with marks) of every document of `text`, tags resolved by ruamel's
    rules for YAML `version`; None when the fast path leaves the text to ruamel (no libyaml, a
    `%YAML` directive, the `!` tag, any YAML error: ruamel's loader says it in its own words)."""
    loader_class = _fast_loader(version)
    if loader_class is None or "%YAML" in text:
        return None
    import yaml

    loader = loader_class(text)
    try:
        roots = []
        while loader.check_node():
            roots.append(loader.get_node())
        return roots
    except (NotFast, yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


_scalars: dict[tuple[str, str], Any] = {}


def _construct_scalar(tag: str, value: str) -> Any:
    """A non-string scalar exactly as ruamel's safe constructor (YAML 1.1) builds it, memoised."""
    key = (tag, value)
    try:
        return _scalars[key]
    except KeyError:
        pass
    result = construct_scalar(_safe_loader().constructor, tag, value)
    if len(_scalars) > _MAX_MEMO:
        _scalars.clear()
    _scalars[key] = result
    return result


def construct_scalar(constructor: Any, tag: str, value: str) -> Any:
    """A scalar of a tag other than str built by a ruamel `constructor`; NotFast for other tags
    (merge keys, `=`, binary, custom tags) or when the constructor complains."""
    if tag not in _CONSTRUCTED:
        raise NotFast
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.tag import Tag

    try:
        return constructor.construct_object(ScalarNode(Tag(suffix=tag), value), deep=True)
    except Exception as exc:  # e.g. a warning made an error: ruamel says it in context
        raise NotFast from exc
    finally:
        constructor.constructed_objects.clear()


def _fast_load_all(text: str) -> list[Any] | None:
    roots = compose_fast(text)
    if roots is None:
        return None
    import yaml

    scalar_node, mapping_node = yaml.ScalarNode, yaml.MappingNode
    intern = sys.intern
    memo: dict[int, Any] | None = {} if "&" in text else None  # aliases share nodes
    building: set[int] = set()

    def convert(node: Any) -> Any:
        cls = type(node)
        if cls is scalar_node:
            tag = node.tag
            # interned: trees repeat the same keys and values over and over, one object serves them all
            return intern(node.value) if tag == STR_TAG else _construct_scalar(tag, node.value)
        if memo is not None:
            key = id(node)
            if key in memo:
                return memo[key]
            if key in building:
                raise NotFast  # a recursive alias
            building.add(key)
        if cls is mapping_node:
            if node.tag != MAP_TAG:
                raise NotFast
            out: Any = {}
            pairs = node.value
            for key_node, value_node in pairs:
                if type(key_node) is not scalar_node:
                    raise NotFast
                out[convert(key_node)] = convert(value_node)
            if len(out) != len(pairs):
                raise NotFast  # a duplicate key, or a merge key (its tag is not constructed here)
        else:
            if node.tag != SEQ_TAG:
                raise NotFast
            out = [convert(item) for item in node.value]
        if memo is not None:
            memo[id(node)] = out
            building.discard(id(node))
        return out

    documents = []
    try:
        for root in roots:  # `roots` holds every node: ids stay unique while converting
            documents.append(convert(root))
            if memo is not None:
                memo.clear()  # anchors belong to one document
    except (NotFast, RecursionError):
        return None
    return [doc for doc in documents if doc is not None]


def iter_paths(value: Any, path: YamlPath = ()) -> Iterator[tuple[YamlPath, Any]]:
    """Every (path, leaf) pair of a JSON-shaped value, depth first."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from iter_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from iter_paths(v, (*path, i))
    else:
        yield path, value


def dig(data: Any, *path: str | int, default: Any = None) -> Any:
    """`data[p0][p1]...`, or `default` when a step is missing or of the wrong type."""
    node = data
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            return default
    return node


MAX_EXPANDED_VALUES = 100_000
"""Values a rendered file may hold once YAML aliases are expanded (see `expansion_problem`)."""


def expansion_problem(documents: list[Any], limit: int = MAX_EXPANDED_VALUES) -> str | None:
    """Why parsed documents cannot be written out, or None: aliases make them recursive or expand
    them past `limit` values (the canonical text writes every alias out in full)."""
    count = 0
    stack: list[Any] = list(documents)
    while stack:
        value = stack.pop()
        count += 1
        if count > limit:
            return f"expands to more than {limit:,} values through aliases (or refers to itself)"
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def node_lines(text: str, documents: list[Any]) -> Positions:
    """The line of every node of `documents` (parsed from `text` by `load_all`) as `text` writes
    it, not as `dump` would: for mapping a finding back to a template's output. Composes `text`
    again with libyaml (marks, no construction: the fast path's composer, else ruamel's C parser)
    and walks it beside the data."""
    positions: Positions = {}

    def walk(node: Any, value: Any, doc: int, path: YamlPath, line: int) -> None:
        positions[(doc, path)] = line  # a mapping entry is where its key is
        if node.id == "mapping" and isinstance(value, dict):
            pairs = node.value
            if len(pairs) == len(value):
                matched = zip(value, pairs, strict=True)
            else:  # merge keys (`<<`) add keys that have no node of their own here
                by_text = {k.value: (k, v) for k, v in pairs if isinstance(k.value, str)}
                matched = ((key, by_text[str(key)]) for key in value if str(key) in by_text)  # type: ignore[assignment]
            for key, (key_node, value_node) in matched:
                walk(value_node, value[key], doc, (*path, key), key_node.start_mark.line + 1)
        elif node.id == "sequence" and isinstance(value, list) and len(node.value) == len(value):
            for i, (item_node, item) in enumerate(zip(node.value, value, strict=True)):
                walk(item_node, item, doc, (*path, i), item_node.start_mark.line + 1)

    composed = compose_fast(text)
    if composed is None:
        composed = list(_safe_loader().compose_all(text))
    nodes = [n for n in composed if not n.tag.endswith(":null")]  # load_all drops those
    for index, (node, data) in enumerate(zip(nodes, documents, strict=False)):
        walk(node, data, index, (), node.start_mark.line + 1)
    return positions
