"""Limits on what gitopsgen reads and renders, so that hostile or broken input fails fast.

Every limit is far above what a real repository needs and far below what would hang a run or
exhaust memory; crossing one is bad input (exit 2) with the file and, where there is one, the
line:

* `MAX_SPEC_BYTES` (1 MiB) per environment file. Real specs are 1-3 KB; ruamel.yaml's
  position-keeping loader reads about 1 MB/s, so the limit bounds parsing to about a second.
* `MAX_SPEC_VALUES` (10,000) values in one spec file after YAML aliases are expanded, and
  `MAX_SPEC_DEPTH` (32) levels of nesting. A real spec holds about 300 values and nests 5 deep;
  aliases (`&anchor` / `*alias`) are legal YAML and stay allowed, but ten nested aliases of ten
  items ("billion laughs") would expand to 10^10 values: the count stops after 10,000, in
  milliseconds.
* `MAX_TEMPLATE_BYTES` (1 MiB) per template file (real ones are under 10 KB).
* `MAX_OUTPUT_CHARS` (16 Mi characters) of output per template: Kubernetes refuses objects
  over 1.5 MiB, so this only stops a runaway loop before it eats the machine's memory.

Files must be regular files (a FIFO or a device would block or never end) and UTF-8.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_SPEC_BYTES = 1024 * 1024
MAX_SPEC_VALUES = 10_000
MAX_SPEC_DEPTH = 32
MAX_TEMPLATE_BYTES = 1024 * 1024
MAX_OUTPUT_CHARS = 16 * 1024 * 1024


class InputRefused(ValueError):
    """A file we will not read: too large, not a regular file, or not UTF-8 (with its position)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


def size_text(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes. Raises `InputRefused` (and
    `OSError` for files the system will not open)."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputRefused("is not a regular file", hint="replace it with a regular file")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(f"is larger than {size_text(limit)}, the limit for this kind of file",
                           hint="see 'Limits' in the README")
    return decode(data)


def decode(data: bytes) -> str:
    """UTF-8 (a leading byte order mark is dropped); `InputRefused` at the first bad byte."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + bom
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise InputRefused(f"is not UTF-8 text: byte 0x{data[start]:02x} cannot start or continue a character",
                           line, column, hint="save the file as UTF-8") from exc
