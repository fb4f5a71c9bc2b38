"""environments/spec.schema.json, the schema editors check the specs with (their
yaml-language-server modeline), must be this gitopsgen's: a stale one lets an editor accept what
the render refuses, or flag what it accepts. `validate` reports it as an error (the action and CI
fail), `render --check` as a warning (it judges rendered/, which the schema does not change)."""

from __future__ import annotations

import json
from pathlib import Path

from gitopsgen.core.problems import Problem, Severity
from gitopsgen.facts.layout import ENVIRONMENTS

EDITOR_SCHEMA = "spec.schema.json"
REGENERATE = f"gitopsgen spec-schema --partial -o {ENVIRONMENTS}/{EDITOR_SCHEMA}"


def stale_editor_schema(root: Path, severity: Severity = Severity.ERROR) -> list[Problem]:
    """An error when `environments/spec.schema.json` exists and is not what `REGENERATE` writes."""
    path = root / ENVIRONMENTS / EDITOR_SCHEMA
    if not path.is_file():
        return []
    from gitopsgen.spec import json_schema

    shown = f"{ENVIRONMENTS}/{EDITOR_SCHEMA}"
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        current = None
    if current == json_schema(partial=True):
        return []
    return [Problem(shown, rule="spec-schema", severity=severity, message=(
        "not the schema of this gitopsgen's specs: editors check environments/ against an out-of-date schema"),
        hint=f"regenerate it: {REGENERATE}")]
