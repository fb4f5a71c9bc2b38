"""What rules yield: a `Finding` (`core.problems`, with the document it is in) in one tree, a
`CrossFinding` at a `Site` of one of several trees."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen.core.problems import Finding, Severity, YamlPath
from gitopsgen.tree.manifests import Document, RenderedTree

__all__ = ["CrossFinding", "Finding", "Site", "YamlPath", "collisions", "name_of"]


@dataclass(frozen=True)
class Site:
    """A node of one environment's tree, for rules that compare environments."""

    tree: RenderedTree
    doc: Document
    path: YamlPath

    def __str__(self) -> str:
        """`rendered/<env>/<file>:<line>`, how a message names the other side of a collision."""
        line = self.tree.files[self.doc.file].line_of(self.doc.index, self.path)
        return f"{self.tree.display(self.doc.file)}:{line}" if line is not None else self.tree.display(self.doc.file)


@dataclass(frozen=True)
class CrossFinding:
    """What a cross-environment rule found: where (in one environment's tree) and what to say,
    naming the other environment's site in the message."""

    site: Site
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None


def collisions(sites: Iterator[tuple[Any, Site]]) -> Iterator[tuple[Site, Site]]:
    """(site, first) for every site whose key an earlier environment already used; `sites` come
    tree by tree in the order of the run. Sites of one environment never collide with each other."""
    first: dict[Any, Site] = {}
    for key, site in sites:
        seen = first.get(key)
        if seen is None:
            first[key] = site
        elif seen.tree.env != site.tree.env:
            yield site, seen


def name_of(doc: Document) -> str:
    """The object's name, or `?` for a data file (for messages)."""
    ident = doc.identity
    return ident.name if ident is not None else "?"
