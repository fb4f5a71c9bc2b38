"""A located finding of the admission layers (CEL rules, list maps, embedded resources, metadata).

The admission layers work on one document's data and its schema, with no file, line or tree in
sight, so they return `Finding`s: the YAML path of the offending node inside the document, the rule
id, the severity and the message. The caller turns each into a `gitopsgen.core.problems.Problem` by
looking the path up in the rendered file (`RenderedFile.line_of(doc.index, finding.path)`).

Rule ids: `cel` (an `x-kubernetes-validations` rule), `admission-list-map`, `admission-list-set`,
`admission-embedded`, `admission-metadata`, `admission-served`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitopsgen.core.problems import Severity

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: Path
    """Where in the document: keys and list indexes from the root, e.g. ("spec", "containers", 1)."""
    message: str
    rule: str
    severity: Severity = Severity.ERROR
    hint: str | None = None
