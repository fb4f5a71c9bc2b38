"""The diff reporters by name (`--format`): each takes a `DiffResult` and writes it, nothing else."""

from __future__ import annotations

from typing import Protocol, TextIO

from gitopsgen.diff.model import DiffResult
from gitopsgen.report.diff_json import JsonReporter
from gitopsgen.report.diff_markdown import MarkdownReporter
from gitopsgen.report.diff_text import TextReporter, use_color

FORMATS = ("text", "markdown", "json")
COLORS = ("auto", "always", "never")


class DiffReporter(Protocol):
    name: str

    def write(self, result: DiffResult, out: TextIO) -> None: ...


def reporter(name: str, out: TextIO, color: str = "auto") -> DiffReporter:
    """The reporter for `--format name`; `color` (auto|always|never) applies to text only."""
    if name == "text":
        return TextReporter(color=use_color(color, out))
    if name == "markdown":
        return MarkdownReporter()
    if name == "json":
        return JsonReporter()
    raise ValueError(f"unknown diff format {name!r} (known: {', '.join(FORMATS)})")
