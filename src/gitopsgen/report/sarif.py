"""`--format sarif`: SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning and others).

One run; `tool.driver.rules` describes every rule that has a finding (a rule module's docstring
is its full description); each result points at the file, line and column. Severity maps to the
SARIF levels error, warning and note.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from gitopsgen import __version__
from gitopsgen.core.problems import Problem, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

def document(problems: Sequence[Problem]) -> dict[str, Any]:
    from gitopsgen.validate.registry import descriptions as described

    descriptions = described()
    ids = sorted({p.rule for p in problems})
    rules = []
    for rule in ids:
        short, full = descriptions.get(rule, (rule, rule))
        rules.append({"id": rule, "name": rule, "shortDescription": {"text": short},
                      "fullDescription": {"text": full}})
    index = {rule: i for i, rule in enumerate(ids)}
    results = []
    for problem in sorted(problems):
        text = f"{problem.path}: {problem.message}" if problem.path else problem.message
        if problem.hint:
            text += f"\nhint: {problem.hint}"
        location: dict[str, Any] = {"artifactLocation": {"uri": problem.file}}
        if problem.line is not None:
            region: dict[str, int] = {"startLine": problem.line}
            if problem.column is not None:
                region["startColumn"] = problem.column
            location["region"] = region
        results.append({"ruleId": problem.rule, "ruleIndex": index[problem.rule],
                        "level": LEVELS[problem.severity], "message": {"text": text},
                        "locations": [{"physicalLocation": location}]})
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "gitopsgen", "version": __version__, "rules": rules}},
                      "results": results}]}


def write(problems: Sequence[Problem], out: TextIO, **_: object) -> None:
    out.write(json.dumps(document(problems), indent=2) + "\n")
