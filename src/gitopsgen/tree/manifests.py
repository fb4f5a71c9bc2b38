"""The in-memory rendered tree: what render produces and the writer, validator and differ consume.

A `RenderedTree` maps a path relative to `rendered/<env>/` to a `RenderedFile`: its parsed
documents and their canonical text. Documents that carry apiVersion/kind/metadata.name are
`Manifest`s with an `Identity`; the others are data files (Helm values, the cloudflared config).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, TypeVar

from gitopsgen.core import fastpath
from gitopsgen.facts.layout import rendered_dir
from gitopsgen.tree import yamlio

T = TypeVar("T")


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
    """One parsed YAML document of a rendered file. Data files (Helm values, the tunnel config)
    are plain `Document`s; Kubernetes objects are `Manifest`s (see `make_document`)."""

    file: str
    """The file's path relative to rendered/<env>/."""
    index: int
    """Position of the document in its file (0-based)."""
    data: Any

    @property
    def identity(self) -> Identity | None:
        return None

    def memo(self, key: Any, make: Callable[[], T]) -> T:
        """`make()` once per key for this document (facts read off its data, which is never edited
        in place once parsed); every time with the fast path off."""
        if not fastpath.enabled():
            return make()
        memo: dict[Any, Any] = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = make()
        value: T = memo[key]
        return value

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}


@dataclass(frozen=True)
class Manifest(Document):
    """A document with apiVersion, kind and metadata.name: its identity is never None."""

    ident: Identity

    @property
    def identity(self) -> Identity:
        return self.ident


def make_document(file: str, index: int, data: Any) -> Document:
    """A `Manifest` when `data` has an identity, else a plain `Document`."""
    ident = identity_of(data)
    return Document(file, index, data) if ident is None else Manifest(file, index, data, ident)


class Origin(Protocol):
    @property
    def template(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def spec(self) -> tuple[tuple[str, Any], ...]: ...


class LineOrigins(Protocol):
    """Where each line of a template's output came from (`render.trace.SourceMap`)."""

    def origin(self, line: int) -> Origin | None: ...


@dataclass(frozen=True)
class RenderedFile:
    path: str
    """Path relative to rendered/<env>/, with forward slashes."""
    template: str
    """The template it came from, relative to the repository root."""
    documents: tuple[Document, ...]
    text: str
    raw: str | None = field(default=None, compare=False, repr=False)
    """The template's output as it wrote it, before the canonical re-emission (`text`)."""
    trace: LineOrigins | None = field(default=None, compare=False, repr=False)
    """The template line behind each line of `raw`."""
    header: str = field(default="", compare=False, repr=False)
    """Comment lines `text` starts with (`layout.generated_header`), before the documents."""

    @cached_property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def first(self) -> Document | None:
        """The first document (values files and the tunnel config have exactly one), or None."""
        return self.documents[0] if self.documents else None

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
        offset = self.header.count("\n")
        return {key: line + offset for key, line in positions.items()} if offset else positions

    def document_line(self, doc: int) -> int | None:
        """The line of `text` that document `doc` starts at, as the text writes it (header,
        separators and hand edits counted: `text` is read again, with libyaml, once per file)."""
        return self._text_positions.get((doc, ()))

    @cached_property
    def _text_positions(self) -> yamlio.Positions:
        try:
            return yamlio.node_lines(self.text, [d.data for d in self.documents])
        except Exception:  # not YAML (a file compared as text): no document lines
            return {}

    def node_at(self, line: int) -> tuple[int, tuple[str | int, ...]] | None:
        """The (document, path) of the deepest node that starts on `line` of `text`."""
        return self._nodes_by_line.get(line)

    @cached_property
    def _nodes_by_line(self) -> dict[int, tuple[int, tuple[str | int, ...]]]:
        out: dict[int, tuple[int, tuple[str | int, ...]]] = {}
        for (doc, path), line in self._positions.items():
            known = out.get(line)
            if known is None or len(path) > len(known[1]):
                out[line] = (doc, path)
        return out

    def origin(self, doc: int, path: tuple[str | int, ...]) -> Origin | None:
        """The template line (and spec values) that wrote a node, or its nearest ancestor."""
        if self.trace is None or self.raw is None:
            return None
        positions = self._raw_positions
        for depth in range(len(path), -1, -1):
            line = positions.get((doc, path[:depth]))
            if line is not None:
                return self.trace.origin(line)
        return None

    @cached_property
    def _raw_positions(self) -> yamlio.Positions:
        assert self.raw is not None
        try:
            return yamlio.node_lines(self.raw, [d.data for d in self.documents])
        except Exception:  # the C loader read it; a position is a nicety, never a failure
            return {}


class TrackedFiles(dict[str, RenderedFile]):
    """`RenderedTree.files`: a dict that counts its changes, so that the tree's index knows it is stale."""

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def __setitem__(self, key: str, value: RenderedFile) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def __ior__(self, other: Any) -> TrackedFiles:  # type: ignore[override,misc]
        super().__ior__(other)
        self._changed()
        return self

    def pop(self, *args: Any) -> Any:
        self._changed()
        return super().pop(*args)

    def popitem(self) -> tuple[str, RenderedFile]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)


@dataclass
class RenderedTree:
    env: str
    files: dict[str, RenderedFile] = field(default_factory=dict)
    prefix: str | None = None
    """Where the tree's root is, from the repository root: `rendered/<env>` when None; "" for files
    read from disk (`validate --path`), whose paths are already relative to their repository."""
    shown: dict[str, str] = field(default_factory=dict)
    """How to show a file whose shown path differs from `prefix/path` (files read from disk are
    shown as the user named them)."""
    not_secrets: frozenset[str] = frozenset()
    """Spec values marked `# gitopsgen: not-a-secret`: the no-secret-values rule lets them pass."""
    _index: tuple[dict[str, RenderedFile], int, TreeIndex] | None = field(default=None, init=False, repr=False,
                                                                          compare=False)
    """The index and the files (and their version) it was built from; see `index`."""

    def __post_init__(self) -> None:
        if not isinstance(self.files, TrackedFiles):
            self.files = TrackedFiles(self.files)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_index": None}

    @property
    def index(self) -> TreeIndex:
        """The tree's index, built on first use and again after its files change."""
        files = self.files
        version = files.version if isinstance(files, TrackedFiles) else -1  # -1: a plain dict, never trusted
        cached = self._index
        if cached is None or cached[0] is not files or cached[1] != version or version < 0:
            cached = self._index = (files, version, TreeIndex(files))
        return cached[2]

    def add(self, rendered: RenderedFile) -> None:
        self.files[rendered.path] = rendered

    def documents(self) -> Iterator[Document]:
        if not fastpath.enabled():
            return (doc for path in sorted(self.files) for doc in self.files[path].documents)
        return iter(self.index.documents)

    def manifests(self, kind: str | None = None, api_version: str | None = None) -> Iterator[Manifest]:
        """Kubernetes objects (documents with an identity), optionally of one kind (and apiVersion)."""
        if not fastpath.enabled():
            return self._scan(kind, api_version)
        if kind is None:
            if api_version is None:
                return iter(self.index.manifests)
            return (doc for doc in self.index.manifests if doc.ident.api_version == api_version)
        return iter(self.index.of_kind(kind, api_version))

    def _scan(self, kind: str | None, api_version: str | None) -> Iterator[Manifest]:
        """`manifests()` without the index: every document looked at (the reference path)."""
        for doc in self.documents():
            if not isinstance(doc, Manifest):
                continue
            if kind is not None and doc.ident.kind != kind:
                continue
            if api_version is not None and doc.ident.api_version != api_version:
                continue
            yield doc

    def get(self, kind: str, name: str, namespace: str | None = None) -> Manifest | None:
        for doc in self.manifests(kind):
            if doc.ident.name == name and (namespace is None or doc.ident.namespace == namespace):
                return doc
        return None

    def first(self, path: str) -> Document | None:
        """The first document of the file at `path`, or None when the tree has no such file."""
        rendered = self.files.get(path)
        return rendered.first if rendered is not None else None

    def display(self, path: str) -> str:
        """How a file of this tree is shown to users: `rendered/<env>/<path>` for a render."""
        if path in self.shown:
            return self.shown[path]
        return f"{self.root_path}/{path}" if self.root_path else path

    @property
    def root_path(self) -> str:
        """The tree's root from the repository root (`rendered/<env>`, or "" for files on disk)."""
        return rendered_dir(self.env) if self.prefix is None else self.prefix

    def bytes_by_path(self) -> dict[str, bytes]:
        return {path: f.data for path, f in sorted(self.files.items())}


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
