"""Argo CD Applications: sources, waves, what they deploy from this tree, their values files.

Facts: docs/components.md §7.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen.core import fastpath
from gitopsgen.core.problems import YamlPath
from gitopsgen.facts import domain, layout
from gitopsgen.tree.manifests import Document, Manifest, RenderedTree
from gitopsgen.tree.memo import per_document, per_tree
from gitopsgen.tree.yamlio import dig


def sync_options_of(doc: Document) -> set[str]:
    """The per-resource Argo CD sync options (`argocd.argoproj.io/sync-options`, comma-separated)."""
    raw = dig(doc.data, "metadata", "annotations", domain.SYNC_OPTIONS)
    return {part.strip() for part in str(raw).split(",") if part.strip()} if raw is not None else set()


def production(tree: RenderedTree) -> bool:
    """Whether the tree is a production environment: its AppProject says so (`gitopsgen.io/tier`)."""
    return any(dig(doc.data, "metadata", "labels", domain.TIER_LABEL) == "production"
               for doc in tree.manifests("AppProject", domain.ARGOCD_API_VERSION))


def applications(tree: RenderedTree) -> Iterator[Manifest]:
    yield from tree.manifests("Application", domain.ARGOCD_API_VERSION)


@dataclass(frozen=True)
class Source:
    data: dict[str, Any]
    path: YamlPath
    """Where the source sits in the Application: ("spec", "source") or ("spec", "sources", i)."""

    @property
    def chart(self) -> str | None:
        chart = self.data.get("chart")
        return chart if isinstance(chart, str) else None

    @property
    def ref(self) -> str | None:
        ref = self.data.get("ref")
        return ref if isinstance(ref, str) else None


def sources(app: Document) -> list[Source]:
    """`spec.sources` when present (Argo CD then ignores `spec.source`), else `spec.source`."""
    return app.memo("argocd-sources", lambda: _sources(app))


def _sources(app: Document) -> list[Source]:
    spec = app.data.get("spec")
    if not isinstance(spec, dict):
        return []
    many = spec.get("sources")
    if isinstance(many, list) and many:
        return [Source(s, ("spec", "sources", i)) for i, s in enumerate(many) if isinstance(s, dict)]
    one = spec.get("source")
    return [Source(one, ("spec", "source"))] if isinstance(one, dict) else []


def charts(app: Document) -> list[str]:
    return [s.chart for s in sources(app) if s.chart]


def sync_options(app: Document) -> list[str]:
    options = dig(app.data, "spec", "syncPolicy", "syncOptions")
    return [o for o in options if isinstance(o, str)] if isinstance(options, list) else []


def wave(app: Document) -> int | None:
    """The sync wave (default 0), or None when the annotation is not an integer."""
    raw = dig(app.data, "metadata", "annotations", domain.SYNC_WAVE)
    if raw is None:
        return 0
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def self_heals(app: Document) -> bool:
    return dig(app.data, "spec", "syncPolicy", "automated", "selfHeal") is True


def tree_path(tree: RenderedTree, repo_path: str) -> str | None:
    """`rendered/<env>/x/y` (a path from the repository root) as `x/y` of this tree, else None."""
    clean = repo_path.strip().strip("/")
    if not tree.root_path:
        return clean
    prefix = tree.root_path + "/"
    if clean == tree.root_path:
        return ""
    return clean[len(prefix):] if clean.startswith(prefix) else None


def deployed(tree: RenderedTree, app: Document) -> list[Document]:
    """Documents that an Application's Git sources deploy from this tree (the folder of the
    source's `path`, not recursive: Argo CD's directory default)."""
    return per_document(tree, "deployed", app, lambda: _deployed(tree, app))


def _deployed(tree: RenderedTree, app: Document) -> list[Document]:
    folders = set()
    for source in sources(app):
        path = source.data.get("path")
        if source.chart is None and isinstance(path, str):
            folder = tree_path(tree, path)
            if folder is not None:
                folders.add(folder)
    if not folders:
        return []
    if fastpath.enabled():
        if len(folders) == 1:
            return list(tree.index.in_folder(folders.pop()))
        return [doc for doc in tree.index.documents if doc.file.rpartition("/")[0] in folders]
    return [doc for path in sorted(tree.files) if path.rpartition("/")[0] in folders
            for doc in tree.files[path].documents]


def parents(tree: RenderedTree) -> dict[tuple[str, int], Manifest]:
    """(file, index) of each document an Application's Git source deploys -> that Application
    (for child Applications: their parent in the app of apps)."""
    return per_tree(tree, "parents", lambda: _parents(tree))


def _parents(tree: RenderedTree) -> dict[tuple[str, int], Manifest]:
    found: dict[tuple[str, int], Manifest] = {}
    for app in applications(tree):
        for doc in deployed(tree, app):
            found[(doc.file, doc.index)] = app
    return found


def deployed_kinds(tree: RenderedTree, app: Document) -> set[tuple[str, str]]:
    """(API group, kind) of what the Application's Git sources deploy."""
    return set(per_document(tree, "deployed-kinds", app, lambda: frozenset(
        (doc.identity.group, doc.identity.kind) for doc in deployed(tree, app) if doc.identity is not None)))


@dataclass(frozen=True)
class ValueFile:
    source: Source
    node: YamlPath
    """Where the entry sits in the Application."""
    raw: str

    @property
    def variable(self) -> str | None:
        """`values` for `$values/...`; None for a path relative to the chart."""
        if not self.raw.startswith("$"):
            return None
        return self.raw[1:].partition("/")[0]

    @property
    def repo_path(self) -> str | None:
        """The path after `$<ref>/`, from the root of the ref source's repository."""
        if self.variable is None:
            return None
        return self.raw.partition("/")[2]


def value_files(app: Document) -> Iterator[ValueFile]:
    for source in sources(app):
        entries = dig(source.data, "helm", "valueFiles")
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, str):
                    yield ValueFile(source, (*source.path, "helm", "valueFiles", i), entry)


def resolve(tree: RenderedTree, value_file: ValueFile) -> str | None:
    """The tree path of a `$<ref>/rendered/<env>/...` value file, if this render produces it."""
    repo_path = value_file.repo_path
    if repo_path is None:
        return None
    path = tree_path(tree, repo_path)
    return path if path and path in tree.files else None


def values_paths(tree: RenderedTree, app: Document, source: Source | None = None) -> list[str]:
    """Tree paths of the values files an Application (or one of its sources) reads, in order."""
    return [p for p in (resolve(tree, f) for f in value_files(app) if source is None or f.source == source)
            if p is not None]


def values_doc(tree: RenderedTree, chart: str) -> Document | None:
    """The Helm values of a chart (`values/<chart>.yaml`), when this tree renders them."""
    return tree.first(layout.values_file(chart))


def application_for_values(tree: RenderedTree, chart: str) -> Manifest | None:
    """The Argo CD Application whose Helm valueFiles include `values/<chart>.yaml`."""
    return per_tree(tree, "application-for-values", lambda: _readers(tree)).get(layout.values_file(chart))


def _readers(tree: RenderedTree) -> dict[str, Manifest]:
    """Tree path of each values file -> the first Application that reads it."""
    found: dict[str, Manifest] = {}
    for doc in applications(tree):
        for path in values_paths(tree, doc):
            found.setdefault(path, doc)
    return found


def chart_namespace(tree: RenderedTree, chart: str) -> str | None:
    app = application_for_values(tree, chart)
    ns = dig(app.data, "spec", "destination", "namespace") if app is not None else None
    return ns if isinstance(ns, str) else None


def chart_application(tree: RenderedTree, chart: str) -> tuple[Manifest, Source] | None:
    """The Argo CD Application installing Helm chart `chart`, with the source that names it."""
    for doc in applications(tree):
        for source in sources(doc):
            if source.chart == chart:
                return doc, source
    return None
