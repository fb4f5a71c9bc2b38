"""Plain scalars resolved as the cluster's tools resolve them.

kubectl, the API server's YAML decoding and Argo CD read manifests with sigs.k8s.io/yaml, whose
scalar resolution is its fork of go-yaml v2 (`goyaml.v2/resolve.go`, `resolve()`): YAML 1.1
booleans (`y`, `Y`, `yes`, `Yes`, `YES`, `n` ... `no`, `on`, `off`, `true`, `false` in those
three case forms), nulls (`~`, `null`, `Null`, `NULL`, empty), `.inf`/`.nan`, integers as Go's
`strconv.ParseInt(s, 0, 64)` reads them once underscores are removed (`0x1F`, `0o17`, `0b101`,
`017` octal, too big for 64 bits still an integer) and floats matching
`^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$` (so `1e3`, `-.5` and `08` are floats).
Where it departs from the YAML 1.1 spec (and from ruamel.yaml's 1.1 resolver): no sexagesimal
numbers (`1:30` is a string) and the `=` value key is a string. Timestamps stay strings
(go-yaml v2 keeps them as strings when decoding into `interface{}`), as our loader does.

`yamlio` asks `tag()` for every plain scalar, so what we validate is what the cluster reads.
"""

from __future__ import annotations

import math
import re
from typing import Any

PREFIX = "tag:yaml.org,2002:"
STR, BOOL, NULL, INT, FLOAT, MERGE = (PREFIX + t for t in ("str", "bool", "null", "int", "float", "merge"))

_WORDS: dict[str, str] = {
    **{w: BOOL for w in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
                         "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{w: NULL for w in ("", "~", "null", "Null", "NULL")},
    **{w: FLOAT for w in (".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                          "-.inf", "-.Inf", "-.INF")},
    "<<": MERGE,  # the parser's merge key (ruamel handles it where go-yaml's decoder does)
}
_GO_INT = re.compile(r"[-+]?(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
"""What `strconv.ParseInt(s, 0, 64)` (or `big.Int.SetString(s, 0)` past 64 bits) accepts."""
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
"""`strconv.ParseFloat` of a text starting with a dot (no underscores without a base prefix)."""


def tag(value: str) -> str:
    """The tag go-yaml v2 resolves the plain scalar `value` to."""
    known = _WORDS.get(value)
    if known is not None:
        return known
    first = value[0]
    if first == ".":
        return FLOAT if _DOT_FLOAT.fullmatch(value) else STR
    if first not in "+-0123456789":
        return STR  # the other first characters go-yaml looks at (yYnNtTfFoO~) are words only
    plain = value.replace("_", "")
    if _GO_INT.fullmatch(plain):
        return INT
    if _YAML_STYLE_FLOAT.fullmatch(plain) and not math.isinf(float(plain)):
        return FLOAT  # strconv.ParseFloat fails (ErrRange) on an overflow: go-yaml keeps the text
    return STR


def to_int(value: str) -> int:
    """An integer as Go reads it (`ParseInt(s, 0, 64)` after removing underscores): a leading
    `0` is octal, prefixes in either case."""
    plain = value.replace("_", "")
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567":
        return sign * int(digits, 8)
    return sign * int(digits, 0)


def to_float(value: str) -> float:
    return float(value.replace("_", ""))


def construct_int(constructor: Any, node: Any) -> int:
    return to_int(str(constructor.construct_scalar(node)))


def construct_float(constructor: Any, node: Any) -> float:
    text = str(constructor.construct_scalar(node))
    special = {".nan": math.nan, ".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf}.get(text.lower())
    return special if special is not None else to_float(text)


def resolver_class(base: type[Any]) -> type[Any]:
    """A ruamel resolver class resolving implicit plain scalars with `tag` (the rest as `base`)."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.tag import Tag

    class GoYamlResolver(base):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:
                return Tag(suffix=tag(value))
            return super().resolve(kind, value, implicit)

    return GoYamlResolver


def written(text: str, line: int | None, key: str | int | None) -> str | None:
    """The plain scalar written for `key` (a mapping key, or a sequence item when an int) on
    1-based `line` of `text`, as the user typed it (`n`, not `false`); None when not found."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return None
    source = lines[line - 1]
    if isinstance(key, str):
        pattern = rf"(?:^|[\s{{,\-])[\"']?{re.escape(key)}[\"']?\s*:\s+([^\s,}}\]#'\"][^,}}\]#]*?)\s*(?:[,}}\]]|\s#|$)"
    else:
        pattern = r"^\s*-\s+([^\s,}\]#'\"][^,}\]#]*?)\s*(?:\s#|$)"
    match = re.search(pattern, source)
    return match.group(1) if match else None
