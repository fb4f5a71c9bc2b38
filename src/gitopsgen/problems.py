"""One value for every finding: spec errors, template errors, schema and rule violations.

A `Problem` is plain data: where (file, line, column, dotted path), what (rule id, severity,
message) and the next step (hint). Every stage converts its own error type into problems at its
boundary, so reporters, exit codes and tests deal with one shape only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that `max()` over a run gives the worst finding."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Problem:
    """A located finding. Ordering is by file, then position, so sorted output reads top-down."""

    file: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    message: str = field(default="", compare=True)
    rule: str = "spec"
    severity: Severity = Severity.ERROR
    hint: str | None = field(default=None, compare=False)

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """`file:line:col: severity: path: message [rule]`, plus an indented hint line."""
        subject = f"{self.path}: " if self.path else ""
        text = f"{self.location}: {self.severity}: {subject}{self.message} [{self.rule}]"
        if self.hint:
            text += "\n" + "\n".join(f"    hint: {h}" if i == 0 else f"          {h}"
                                     for i, h in enumerate(self.hint.splitlines()))
        return text


def dotted(path: Iterable[str | int]) -> str:
    """A YAML/JSON path as users read it: `spec.containers[0].env`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity >= Severity.ERROR for p in problems)
