"""The index of a rendered tree (`RenderedTree.index`): what validation asks of a tree again and
again, computed once per version of its files (`manifests.TrackedFiles` counts the changes).

`RenderedTree.documents()`, `.manifests(kind)` and `.get()` answer from it; rules keep the facts
they derive from a tree in its `memo` (`validate.toolkit.memo`). With the fast path off
(`gitopsgen.core.fastpath.disabled()`) the tree scans its files instead, the reference the tests compare
with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from gitopsgen.tree.manifests import Document, Manifest, RenderedFile

T = TypeVar("T")


class TreeIndex:
    """What validation asks of a tree again and again, computed once per version of its files:
    the documents in file order, the manifests by kind, the documents by folder, and a memo for
    facts derived from them (the secret scan, which Application deploys what). Documents are
    not edited in place once they are in a tree (tests edit copies: `kit.mutate`)."""

    def __init__(self, files: dict[str, RenderedFile]) -> None:
        self.paths = tuple(sorted(files))
        self.documents = tuple(doc for path in self.paths for doc in files[path].documents)
        self.manifests = tuple(doc for doc in self.documents if isinstance(doc, Manifest))
        by_kind: dict[str, list[Manifest]] = {}
        for doc in self.manifests:
            by_kind.setdefault(doc.ident.kind, []).append(doc)
        self.by_kind = {kind: tuple(docs) for kind, docs in by_kind.items()}
        self._by_kind_api: dict[tuple[str, str], tuple[Manifest, ...]] = {}
        self._by_folder: dict[str, tuple[Document, ...]] | None = None
        self._memo: dict[Any, Any] = {}

    def of_kind(self, kind: str, api_version: str | None = None) -> tuple[Manifest, ...]:
        docs = self.by_kind.get(kind, ())
        if api_version is None:
            return docs
        key = (kind, api_version)
        found = self._by_kind_api.get(key)
        if found is None:
            found = self._by_kind_api[key] = tuple(d for d in docs if d.ident.api_version == api_version)
        return found

    def in_folder(self, folder: str) -> tuple[Document, ...]:
        """The documents of the files directly in `folder` ("" for the root), in file order."""
        if self._by_folder is None:
            by_folder: dict[str, list[Document]] = {}
            for doc in self.documents:
                by_folder.setdefault(doc.file.rpartition("/")[0], []).append(doc)
            self._by_folder = {name: tuple(docs) for name, docs in by_folder.items()}
        return self._by_folder.get(folder, ())

    def memo(self, key: Any, make: Callable[[], T]) -> T:
        """`make()` once per key for this version of the tree's files."""
        if key not in self._memo:
            self._memo[key] = make()
        value: T = self._memo[key]
        return value
