"""Reading Argo CD Applications out of a rendered tree, shared by the chart-values check and the
`argocd_*` rules.

What an Application deploys is deduced from the tree itself: a Git source whose `path` lies in
`rendered/<env>/` deploys the documents under that folder; a Helm source deploys its chart, whose
CRD groups are known facts (`CHART_CRD_GROUPS`, DOMAIN §1-3, §8). Value files written
`$<ref>/rendered/<env>/...` resolve to files of the same tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen.manifests import Document, RenderedTree
from gitopsgen.validate.rules import dig

API_VERSION = "argoproj.io/v1alpha1"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
FINALIZERS = frozenset({
    "resources-finalizer.argocd.argoproj.io",
    "resources-finalizer.argocd.argoproj.io/foreground",
    "resources-finalizer.argocd.argoproj.io/background",
})

# API groups of the CRDs each operator chart installs (DOMAIN §1 CNPG, §2 OT Redis, §3 ESO, §8).
CHART_CRD_GROUPS: dict[str, tuple[str, ...]] = {
    "cloudnative-pg": ("postgresql.cnpg.io",),
    "redis-operator": ("redis.redis.opstreelabs.in",),
    "external-secrets": ("external-secrets.io", "generators.external-secrets.io"),
    "tailscale-operator": ("tailscale.com",),
}

# Charts whose CRDs exceed the 262144-byte last-applied annotation of client-side apply (DOMAIN X28:
# CNPG clusters CRD ~464 KB, ESO clustersecretstores ~690 KB, OT Redis CRDs 327-522 KB).
LARGE_CRD_CHARTS = frozenset({"cloudnative-pg", "external-secrets", "redis-operator"})

def applications(tree: RenderedTree) -> Iterator[Document]:
    yield from tree.manifests("Application", API_VERSION)


@dataclass(frozen=True)
class Source:
    data: dict[str, Any]
    path: tuple[str | int, ...]
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
    raw = dig(app.data, "metadata", "annotations", SYNC_WAVE)
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
    prefix = f"rendered/{tree.env}/"
    clean = repo_path.strip().strip("/")
    if clean == prefix.rstrip("/"):
        return ""
    return clean[len(prefix):] if clean.startswith(prefix) else None


def folder_documents(tree: RenderedTree, folder: str) -> list[Document]:
    """Documents of the tree under `folder` (non-recursive, as Argo CD's directory default)."""
    docs: list[Document] = []
    for path in sorted(tree.files):
        parent = path.rpartition("/")[0]
        if parent == folder:
            docs.extend(tree.files[path].documents)
    return docs


def deployed(tree: RenderedTree, app: Document) -> list[Document]:
    """Documents that an Application's Git sources deploy from this tree."""
    docs: list[Document] = []
    for source in sources(app):
        path = source.data.get("path")
        if source.chart is None and isinstance(path, str):
            folder = tree_path(tree, path)
            if folder is not None:
                docs.extend(folder_documents(tree, folder))
    return docs


def deployed_kinds(tree: RenderedTree, app: Document) -> set[tuple[str, str]]:
    """(API group, kind) of what the Application's Git sources deploy."""
    return {(doc.identity.group, doc.identity.kind) for doc in deployed(tree, app) if doc.identity is not None}


@dataclass(frozen=True)
class ValueFile:
    source: Source
    node: tuple[str | int, ...]
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

