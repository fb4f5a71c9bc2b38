"""One value for every finding: spec errors, template errors, schema and rule violations.

Checks that work inside one document (spec checks, admission layers, CEL, rules) yield a `Finding`:
the YAML path of the node, the words, the rule and the severity, and for rules the document it is in.
`Finding.at` is the one conversion into a `Problem`, once the caller knows the file and the line
of that node (the spec's positions, or the rendered file's lines).

A `Problem` is plain data: where (file, line, column, dotted path), what (rule id, severity,
message), the next step (hint), and where the user edits when the finding is about rendered
output (provenance): the template line that wrote the node, and the spec values written there.
Every stage converts its own error type into problems at its boundary, so reporters, exit codes
and tests deal with one shape only; the report formats carry the provenance fields as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that `max()` over a run gives the worst finding."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


YamlPath = tuple[str | int, ...]
"""Where a node sits in a document: keys and list indexes from the root, `("spec", "containers", 1)`."""


@dataclass(frozen=True, order=True)
class Finding:
    """A finding before it is placed in a file: the node, the words, the rule and the severity."""

    path: YamlPath
    message: str
    rule: str = ""
    """Empty where the caller adds it (the rule runner adds each rule's id)."""
    severity: Severity = Severity.ERROR
    hint: str | None = None
    doc: Any = field(default=None, compare=False)
    """The document the node is in, where a check reads several (rules); None otherwise."""

    def at(self, file: str, line: int | None, column: int | None = None, *, rule: str = "",
           suffix: str = "") -> Problem:
        """This finding as a `Problem` at `file:line:column` (`suffix` ends the message, e.g. the
        object's identity)."""
        return Problem(file, line, column, dotted(self.path), self.message + suffix, rule=self.rule or rule,
                       severity=self.severity, hint=self.hint)


@dataclass(frozen=True)
class Problem:
    """A located finding. Ordering is by file, then position (a missing line or column sorts
    first), so sorted output reads top-down."""

    file: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    message: str = ""
    rule: str = "spec"
    severity: Severity = Severity.ERROR
    hint: str | None = field(default=None, compare=False)
    template: str | None = field(default=None, compare=False)
    """The template that wrote the rendered node (`templates/...j2`), when known."""
    template_line: int | None = field(default=None, compare=False)
    """Its line in `template`."""
    spec_locations: tuple[str, ...] = field(default=(), compare=False)
    """`environments/prd.yaml:12:5` of every spec value written on that rendered line."""
    rendered: str | None = field(default=None, compare=False)
    """`rendered/<env>/<path>:<line>` when `file` is the template because the rendered file was
    not written (a failed render, --check): the rendered line then exists only in memory."""

    def _key(self) -> tuple[Any, ...]:
        line = -1 if self.line is None else self.line
        column = -1 if self.column is None else self.column
        return (self.file, line, column, self.path, self.message, self.rule, self.severity)

    def __lt__(self, other: Problem) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Problem) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Problem) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Problem) -> bool:
        return self._key() >= other._key()

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    @property
    def origin(self) -> str | None:
        """`templates/x.yaml.j2:17`, the template line behind a rendered node, if known."""
        if self.template is None:
            return None
        return self.template if self.template_line is None else f"{self.template}:{self.template_line}"

    def format(self) -> str:
        """`file:line:col: severity: path: message [rule]`, then indented lines: where it was
        rendered or which template line wrote it, the spec values involved, and the hint."""
        subject = f"{self.path}: " if self.path else ""
        lines = [f"{self.location}: {self.severity}: {subject}{self.message} [{self.rule}]"]
        if self.rendered is not None:
            lines.append(f"    rendered as {self.rendered} (not written)")
        origin = self.origin
        if origin is not None and origin != self.location:
            lines.append(f"    from {origin}")
        lines.extend(f"    value from {where}" for where in self.spec_locations)
        if self.hint:
            lines.extend(f"    hint: {h}" if i == 0 else f"          {h}"
                         for i, h in enumerate(self.hint.splitlines()))
        return "\n".join(lines)


def dotted(path: Iterable[str | int]) -> str:
    """A YAML/JSON path as users read it: `spec.containers[0].env`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity >= Severity.ERROR for p in problems)
