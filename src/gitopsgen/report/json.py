"""`--format json`: one JSON document, stable and versioned, for other tools.

    {"version": 1,
     "tool": {"name": "gitopsgen", "version": "0.2.0"},
     "summary": {"errors": 1, "warnings": 0, "notes": 2, "targets": ["dev", "prd"], "documents": 57,
                 "skipped": {"data file": 1}},
     "problems": [{"file": "rendered/prd/...", "line": 12, "column": 3, "path": "spec.instances",
                   "rule": "schema", "severity": "error", "message": "...", "hint": "..."}]}

Problems are sorted by file and line; optional keys (line, column, path, hint, and provenance
fields) are left out when unknown. New keys may be added in version 1; none is removed or renamed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TextIO

from gitopsgen import __version__
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.report import JSON_VERSION, problem_fields


def document(problems: Sequence[Problem], targets: Sequence[str], documents: int,
             skipped: Mapping[str, int] | None = None) -> dict[str, object]:
    counts = {s: sum(p.severity is s for p in problems) for s in Severity}
    summary: dict[str, object] = {"errors": counts[Severity.ERROR], "warnings": counts[Severity.WARNING],
                                  "notes": counts[Severity.INFO], "targets": list(targets), "documents": documents}
    if skipped:
        summary["skipped"] = dict(sorted(skipped.items()))  # documents not validated, by reason
    return {
        "version": JSON_VERSION,
        "tool": {"name": "gitopsgen", "version": __version__},
        "summary": summary,
        "problems": [problem_fields(p) for p in sorted(problems)],
    }


def write(problems: Sequence[Problem], out: TextIO, *, targets: Sequence[str] = (), documents: int = 0,
          skipped: Mapping[str, int] | None = None, **_: object) -> None:
    out.write(json.dumps(document(problems, targets, documents, skipped), indent=2) + "\n")
