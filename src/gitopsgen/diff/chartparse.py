"""Helm's output as documents, parsed once per run, with CustomResourceDefinitions kept as text.

Rendered templates are split into documents where Helm splits them (releaseutil.SplitManifests:
at every line that starts with `---`), and each document text is parsed once per run: both
sides of a values change share most of their text, and a chart's CRDs (CloudNativePG's run to
1.2 MB) are the same at both sides unless the chart changed them.

CRDs are only summarised (`diff.charts`), so they are never parsed whole when avoidable: a
document whose top-level `kind` line says CustomResourceDefinition is identified by parsing its
text without the top-level `spec:` block (a few lines), and two CRDs of the same name are the
same when their texts are; only when the texts differ are both parsed and compared as data (a
formatting difference is no change).
"""

from __future__ import annotations

import re
from typing import Any

from gitopsgen.diff.fields import same
from gitopsgen.diff.model import CrdChange, Status
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import make_document

CRD_KIND = ("apiextensions.k8s.io", "CustomResourceDefinition")
# Helm's `(?:^|\s*\n)---\s*` only also trims whitespace, which YAML ignores; Python's backtracking
# engine takes quadratic time on it over deeply indented text (Go's RE2 does not), so: line starts.
_SEPARATOR = re.compile(r"\n---")
_CRD_LINE = re.compile(r"^kind:[ \t]*[\"']?CustomResourceDefinition[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


def split(text: str) -> list[str]:
    """The documents of a rendered template, as Helm splits them (empty ones left out)."""
    return [doc for doc in _SEPARATOR.split("\n" + text + "\n") if doc.strip()]


def is_crd(data: Any) -> bool:
    ident = make_document("", 0, data).identity
    return ident is not None and (ident.group, ident.kind) == CRD_KIND


def _header(text: str) -> str:
    """`text` without its top-level `spec:` block."""
    kept = []
    skipping = False
    for line in text.split("\n"):
        if line[:1] not in ("", " ", "\t", "#", "-"):
            skipping = line.startswith("spec:")
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


class Parser:
    """Parses document texts, each distinct text once (raises ruamel's YAMLError on bad YAML)."""

    def __init__(self) -> None:
        self._parsed: dict[str, list[Any]] = {}

    def parse(self, text: str) -> list[Any]:
        if text not in self._parsed:
            self._parsed[text] = yamlio.load_all(text)
        return self._parsed[text]

    def crd_name(self, text: str) -> str | None:
        """The name of the CRD `text` holds, or None when it holds something else."""
        from ruamel.yaml.error import YAMLError

        if not _CRD_LINE.search(text):
            return None
        try:
            docs = yamlio.load_all(_header(text))
        except YAMLError:
            docs = self.parse(text)
        if len(docs) != 1 or not is_crd(docs[0]):
            return None
        return str(docs[0]["metadata"]["name"])

    def crd_changes(self, old: dict[str, str], new: dict[str, str]) -> tuple[list[CrdChange], int]:
        """CRDs by name at both sides (their texts) -> (added, removed and changed ones; unchanged count)."""
        changes = []
        unchanged = 0
        for name in sorted(old.keys() | new.keys()):
            if name not in old:
                changes.append(CrdChange(name, Status.ADDED))
            elif name not in new:
                changes.append(CrdChange(name, Status.REMOVED))
            elif old[name] != new[name] and not same(self.parse(old[name]), self.parse(new[name])):
                changes.append(CrdChange(name, Status.CHANGED))
            else:
                unchanged += 1
        return changes, unchanged
