"""The in-memory rendered tree: what render produces and the writer, validator and differ consume.

A `RenderedTree` maps a path relative to `rendered/<env>/` to a `RenderedFile`: its parsed
documents and their canonical text. Documents that carry apiVersion/kind/metadata.name have an
`Identity`; the others are data files (Helm values, the cloudflared config).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gitopsgen import yamlio


@dataclass(frozen=True, order=True)
class Identity:
    api_version: str
    kind: str
    namespace: str | None
    name: str

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def identity_of(data: Any) -> Identity | None:
    if not isinstance(data, dict):
        return None
    api_version, kind, meta = data.get("apiVersion"), data.get("kind"), data.get("metadata")
    if not (isinstance(api_version, str) and isinstance(kind, str) and isinstance(meta, dict)):
        return None
    name = meta.get("name")
    namespace = meta.get("namespace")
    if not isinstance(name, str):
        return None
    return Identity(api_version, kind, namespace if isinstance(namespace, str) else None, name)


@dataclass(frozen=True)
class Document:
    file: str
    index: int
    data: Any

    @cached_property
    def identity(self) -> Identity | None:
        return identity_of(self.data)


@dataclass(frozen=True)
class RenderedFile:
    path: str
    """Path relative to rendered/<env>/, with forward slashes."""
    template: str
    """The template it came from, relative to the repository root."""
    documents: tuple[Document, ...]
    text: str

    @cached_property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    def line_of(self, doc: int, path: tuple[str | int, ...]) -> int | None:
        """Line of a node in `text` (or of its nearest ancestor), computed on demand."""
        positions = self._positions
        for depth in range(len(path), -1, -1):
            line = positions.get((doc, path[:depth]))
            if line is not None:
                return line
        return None

    @cached_property
    def _positions(self) -> yamlio.Positions:
        positions: yamlio.Positions = {}
        yamlio.dump([d.data for d in self.documents], positions)
        return positions


@dataclass
class RenderedTree:
    env: str
    files: dict[str, RenderedFile] = field(default_factory=dict)

    def add(self, rendered: RenderedFile) -> None:
        self.files[rendered.path] = rendered

    def documents(self) -> Iterator[Document]:
        for path in sorted(self.files):
            yield from self.files[path].documents

    def manifests(self, kind: str | None = None, api_version: str | None = None) -> Iterator[Document]:
        """Documents with an identity, optionally of one kind (and apiVersion)."""
        for doc in self.documents():
            ident = doc.identity
            if ident is None:
                continue
            if kind is not None and ident.kind != kind:
                continue
            if api_version is not None and ident.api_version != api_version:
                continue
            yield doc

    def get(self, kind: str, name: str, namespace: str | None = None) -> Document | None:
        for doc in self.manifests(kind):
            ident = doc.identity
            assert ident is not None
            if ident.name == name and (namespace is None or ident.namespace == namespace):
                return doc
        return None

    def bytes_by_path(self) -> dict[str, bytes]:
        return {path: f.data for path, f in sorted(self.files.items())}
