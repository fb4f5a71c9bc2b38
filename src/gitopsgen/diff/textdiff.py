"""Unified diffs of text (difflib), and a bound on how many lines of one are shown."""

from __future__ import annotations

import difflib

NULL = "/dev/null"


def unified(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> list[str]:
    """The lines of a unified diff (no line endings); [] when the texts are equal.

    An empty side is labelled /dev/null, as git does for added and deleted files.
    """
    if old == new:
        return []
    return list(difflib.unified_diff(
        old.splitlines(), new.splitlines(),
        fromfile=old_label if old else NULL, tofile=new_label if new else NULL,
        n=context, lineterm=""))


def bounded(lines: list[str], limit: int) -> tuple[list[str], int]:
    """At most `limit` lines of a diff, and how many were left out."""
    if len(lines) <= limit:
        return lines, 0
    return lines[:limit], len(lines) - limit


def decode(data: bytes) -> str:
    """Text of a file that may have been edited by anything: invalid UTF-8 is shown, not fatal."""
    return data.decode("utf-8", errors="replace")
