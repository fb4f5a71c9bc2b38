"""Jinja filters and the output guard that keeps spec values from changing YAML structure.

The guard is Jinja's `finalize` hook, applied to every `{{ expression }}`:

* numbers pass; booleans become `true`/`false`;
* strings pass only if they are a single "safe token" (letters, digits and `_./:@+=~-`, not
  ending in `:`), which cannot start a comment, an indicator, a flow collection or a new line,
  and that every YAML 1.1 and 1.2 reader reads back as that string (`yes`, `null`, `010`,
  `1.10`, `2024-01-01` would become a boolean, null, number or date);
* anything else (spaces, quotes, `#`, `*`, newlines, `None`, mappings, lists) is refused with
  the template line: the template must say how to write it, with `| q` (a quoted string) or
  `| toyaml` (any value, written as inline YAML).

Values coming out of `q`/`toyaml`, macros and `{% set %}`/`{% call %}` blocks are `Markup`, i.e.
already written by the template, and pass untouched: the environment's `concat` (the tracer's)
marks every joined block that way. Autoescape is off, so nothing is ever HTML-escaped: with it on,
`~` escaped a plain operand joined to a block (`{% set x %}a{% endset %}{{ x ~ "&b" }}` gave
`a&amp;b`); now `~` gives a plain string, which the guard checks like any other.

`q` and `toyaml` return `LocatedMarkup`, which keeps the spec locations of the values they wrote
(see `render.provenance`); a refused value names its spec location too.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from typing import Any

from jinja2 import StrictUndefined, Undefined, pass_environment
from jinja2.environment import Environment
from jinja2.filters import do_indent
from jinja2.utils import missing
from markupsafe import Markup
from pydantic import BaseModel

from gitopsgen.render.provenance import Located, located
from gitopsgen.tree.yamlio import double_quoted, plain_is_string, scalar

SAFE_TOKEN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:@+=~-]*")


class HelpfulUndefined(StrictUndefined):
    """StrictUndefined whose message lists the closest existing key or attribute."""

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or obj is missing or not isinstance(name, str):
            return str(super()._undefined_message)
        if isinstance(obj, dict):
            options, what = [k for k in obj if isinstance(k, str)], "key"
        elif dataclasses.is_dataclass(obj):
            options, what = [f.name for f in dataclasses.fields(obj)], "attribute"
        else:
            return str(super()._undefined_message)
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        guess = f"; did you mean '{close[0]}'?" if close else f"; it has: {', '.join(sorted(options))}"
        return f"no {what} '{name}'{guess}"


class UnsafeValueError(ValueError):
    """A template interpolated a value that could change the document's structure."""


class LocatedMarkup(Markup):
    """Markup written by a filter, with the spec locations of the values it holds."""

    spec_locs: Located


def _located_markup(text: str, value: Any) -> Markup:
    spec = located(value)
    if not spec:
        return Markup(text)
    out = LocatedMarkup(text)
    out.spec_locs = spec
    return out


def to_data(value: Any) -> Any:
    """Plain JSON-shaped data from models, tuples and nested containers. Mapping entries whose
    value is None are dropped: in a spec, None means "not set", and Kubernetes reads null alike."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, Markup):
        return str(value)
    return value


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the missing attribute
    if isinstance(value, bool):
        return Markup("true" if value else "false")
    if isinstance(value, (int, float)):
        return Markup(scalar(value))
    if isinstance(value, str):
        if SAFE_TOKEN.fullmatch(value) and not value.endswith(":"):
            if plain_is_string(value):
                return Markup(value)
            raise UnsafeValueError(
                f"{_shown(value)} would be read back as a boolean, null, number or date if written unquoted; "
                "write {{ ... | q }}")
        raise UnsafeValueError(
            f"{_shown(value)} could change the YAML structure if written unquoted; "
            "write {{ ... | q }} for a string or {{ ... | toyaml }} for any value")
    if value is None:
        raise UnsafeValueError("the value is None (null); test for it with {% if %} or use | toyaml")
    raise UnsafeValueError(
        f"a {type(value).__name__} cannot be written as text; use {{{{ ... | toyaml }}}}")


def q(value: Any) -> Markup:
    """A double-quoted YAML string of `value` (numbers and booleans become their text)."""
    if value is None:
        raise UnsafeValueError("cannot quote None; test for it with {% if %}")
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = scalar(value)
    elif isinstance(value, str):
        text = str(value)
    else:
        raise UnsafeValueError(f"q quotes strings; got a {type(value).__name__}, use | toyaml")
    return _located_markup(double_quoted(text), value)


def toyaml(value: Any) -> Markup:
    """Any JSON-shaped value (or Pydantic model) as inline YAML (JSON is valid YAML)."""
    data = to_data(value)
    return _located_markup(json.dumps(data, ensure_ascii=True, allow_nan=False), data)


@pass_environment
def indent(environment: Environment, value: str, width: int | str = 4, first: bool = False,
           blank: bool = False) -> str:
    """Jinja's `indent`, keeping the template lines of an indented macro's output."""
    out: str = do_indent(value, width, first, blank)
    tracer = getattr(environment, "tracer", None)
    if tracer is not None:
        tracer.indented(value, out, width if isinstance(width, str) else " " * width, first)
    return out


def sha256(value: Any) -> str:
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()


FILTERS = {"q": q, "toyaml": toyaml, "sha256": sha256, "to_data": to_data, "indent": indent}
