"""The part of an environment's rendered tree the cross-environment rules read (`cross_view`),
which a run keeps of each environment instead of the whole tree, and the result cache records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from gitopsgen.facts import domain
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import Document, RenderedFile, RenderedTree

CROSS_KINDS = frozenset({
    (domain.ARGOCD_API_VERSION.rpartition("/")[0], "Application"),
    (domain.ARGOCD_API_VERSION.rpartition("/")[0], "AppProject"),
    (domain.ARGOCD_API_VERSION.rpartition("/")[0], "ApplicationSet"),
    ("networking.k8s.io", "Ingress"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "Gateway"),
}) | domain.CLUSTER_SCOPED_KINDS
"""Kinds the cross-environment rules look at (`validate.rules.cross_*`): Argo CD objects, Ingress,
HTTPRoute and Gateway hosts and every cluster-scoped object (ClusterSecretStores included)."""


def cross_view(tree: RenderedTree) -> RenderedTree:
    """The part of `tree` the cross-environment rules read: the documents of `CROSS_KINDS` and the
    data documents (Helm values, the tunnel config), each at its index and its lines in the full
    file (`ViewFile`), without text or template trace."""
    kept: dict[str, RenderedFile] = {}
    for path, rendered in tree.files.items():
        documents = tuple(doc for doc in rendered.documents
                          if doc.identity is None or (doc.identity.group, doc.identity.kind) in CROSS_KINDS)
        if documents:
            kept[path] = ViewFile.of(rendered, documents)
    return RenderedTree(tree.env, kept, tree.prefix, dict(tree.shown), tree.not_secrets)


@dataclass(frozen=True)
class ViewFile(RenderedFile):
    """Some documents of a rendered file, with the line each starts on in the file: `line_of` gives
    the lines of the whole file (the canonical text writes each document on its own)."""

    starts: tuple[int, ...] = ()
    """The first line of each of `documents` in the file, header included."""

    @classmethod
    def of(cls, rendered: RenderedFile, documents: tuple[Document, ...]) -> ViewFile:
        # The canonical text puts `---` alone on the line between documents and nowhere else (a
        # multi-line string is an indented literal block or escaped): document k starts after the
        # k-th such line, the first one after the header.
        first = rendered.header.count("\n") + 1
        separators = [n for n, line in enumerate(rendered.text.split("\n"), start=1) if line == "---"]
        starts = [first, *(n + 1 for n in separators)]
        return cls(rendered.path, rendered.template, documents, "",
                   starts=tuple(starts[doc.index] if doc.index < len(starts) else 1 for doc in documents))

    @cached_property
    def _positions(self) -> yamlio.Positions:
        positions: yamlio.Positions = {}
        for doc, start in zip(self.documents, self.starts, strict=True):
            mine: yamlio.Positions = {}
            yamlio.dump([doc.data], mine)
            positions.update({(doc.index, path): line + start - 1 for (_, path), line in mine.items()})
        return positions
