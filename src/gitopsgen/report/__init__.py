"""Output formats. Only this package prints; every format is a module with a `write()` function
taking the findings of a run. `FORMATS` lists the names the CLI accepts for `--format`.

The json and sarif shapes are versioned and stable: fields are only ever added.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gitopsgen.core.problems import Problem

FORMATS = ("text", "json", "github", "sarif")
JSON_VERSION = 1


def problem_fields(problem: Problem) -> dict[str, Any]:
    """A problem as JSON-ready data with camelCase keys; unset optional fields are left out."""
    out: dict[str, Any] = {}
    for item in dataclasses.fields(problem):
        value = getattr(problem, item.name)
        if value is None or value in ((), ""):
            continue
        head, *rest = item.name.split("_")
        key = head + "".join(part.title() for part in rest)
        out[key] = str(value) if key == "severity" else (list(value) if isinstance(value, tuple) else value)
    return out
