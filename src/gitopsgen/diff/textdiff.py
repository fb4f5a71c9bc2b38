"""Unified diffs of text (difflib), and a bound on how many lines of one are shown."""

from __future__ import annotations

import difflib
import re

NULL = "/dev/null"
HUNK = re.compile(r"@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@")


def unified(old: str, new: str, old_label: str, new_label: str, context: int = 3,
            starts: tuple[int, int] = (1, 1)) -> list[str]:
    """The lines of a unified diff (no line endings); [] when the texts are equal.

    An empty side is labelled /dev/null, as git does for added and deleted files. `starts`: the
    lines of their files that `old` and `new` start at, so that hunks name the files' lines.
    """
    if old == new:
        return []
    lines = list(difflib.unified_diff(
        old.splitlines(), new.splitlines(),
        fromfile=old_label if old else NULL, tofile=new_label if new else NULL,
        n=context, lineterm=""))
    if starts == (1, 1):
        return lines
    return [_shifted(line, starts) if line.startswith("@@") else line for line in lines]


def _shifted(header: str, starts: tuple[int, int]) -> str:
    found = HUNK.match(header)
    if found is None:
        return header
    old_line, old_count, new_line, new_count = found.groups()
    # an empty side is `-0,0`: it starts nowhere, whatever its file
    old_at = int(old_line) + starts[0] - 1 if old_count != ",0" else int(old_line)
    new_at = int(new_line) + starts[1] - 1 if new_count != ",0" else int(new_line)
    return f"@@ -{old_at}{old_count} +{new_at}{new_count} @@{header[found.end():]}"


def bounded(lines: list[str], limit: int) -> tuple[list[str], int]:
    """At most `limit` lines of a diff, and how many were left out."""
    if len(lines) <= limit:
        return lines, 0
    return lines[:limit], len(lines) - limit


def decode(data: bytes) -> str:
    """Text of a file that may have been edited by anything: invalid UTF-8 is shown, not fatal."""
    return data.decode("utf-8", errors="replace")
