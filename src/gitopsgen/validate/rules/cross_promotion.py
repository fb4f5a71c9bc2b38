"""cross-promotion: production does not follow the moving Git ref a development environment follows.

With automated sync, an Application follows its Git `targetRevision`: a production environment
whose Applications read the same branch as development gets every commit at the moment
development does, with no promotion step between review and production. Each production
environment follows its own ref (spec `argocd.targetRevision`, default the protected branch
`production`; or a tag that a release moves); a full commit SHA is fixed, not moving, and may
be shared.

Checked over the Git sources of every Application that read this repository (the `path` sources
under `rendered/` and the `ref` source that supplies Helm values), between each production and
each development environment. Other Git sources (an upstream repository at a release tag, such as
the Gateway API CRDs) are pinned by their tag, not promoted.

Upstream: Argo CD docs/user-guide/tracking_strategies.md (branches and tags are followed, a
commit SHA pins); docs/user-guide/auto_sync.md. Run by `render --all`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, applications, production, sources

ID = "cross-promotion"
COMMIT = re.compile(r"[0-9a-f]{40}")


def _own_repositories(tree: RenderedTree) -> set[str]:
    """The repositories the environment's Applications read its rendered tree and values from."""
    return {str(source.data.get("repoURL")) for app in applications(tree) for source in sources(app)
            if source.chart is None
            and (source.data.get("ref") or str(source.data.get("path", "")).startswith("rendered/"))}


def _moving(tree: RenderedTree) -> Iterator[tuple[str, Site]]:
    """(revision, where) of each source of this repository that follows a moving ref."""
    own = _own_repositories(tree)
    for app in applications(tree):
        for source in sources(app):
            if source.chart is not None or str(source.data.get("repoURL")) not in own:
                continue
            revision = str(source.data.get("targetRevision") or "HEAD").strip()
            if not COMMIT.fullmatch(revision):
                yield revision, Site(tree, app, (*source.path, "targetRevision"))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    development: dict[str, Site] = {}
    for tree in trees:
        if not production(tree):
            for revision, site in _moving(tree):
                development.setdefault(revision, site)
    for tree in trees:
        if not production(tree):
            continue
        # one finding per production environment and shared ref: the cause is one spec field
        reported: set[str] = set()
        for revision, site in _moving(tree):
            other = development.get(revision)
            if other is None or revision in reported:
                continue
            reported.add(revision)
            yield CrossFinding(site, f"production environment {tree.env} follows {revision!r}, the moving ref "
                               f"development environment {other.tree.env} follows ({other}): every commit reaches "
                               "production with no promotion step",
                               hint="give production its own ref in argocd.targetRevision (a protected branch "
                                    "or a tag moved on release), or a commit SHA")
