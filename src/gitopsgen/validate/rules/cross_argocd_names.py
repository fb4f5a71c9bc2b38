"""cross-argocd-names: no two environments define the same Argo CD object.

Applications and AppProjects are objects of the Argo CD namespace they name: when one Argo CD
deploys several environments (one management cluster), two environments rendering `data` or
`root` in `argocd` overwrite each other; applying one root prunes the other's children and,
through their finalizers, everything they deployed. Argo CD objects of two environments must
therefore differ in name or namespace (gitopsgen prefixes them with the environment:
`prd-data`). The Application name also becomes the Helm release name unless set
(argocd-release-name).

Upstream: Argo CD docs/operator-manual/declarative-setup.md (Applications and AppProjects are
namespaced resources of Argo CD's namespace), app-any-namespace.md. Run by
`render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, collisions

ID = "cross-argocd-names"


def _sites(trees: Sequence[RenderedTree]) -> Iterator[tuple[object, Site]]:
    for tree in trees:
        for kind in ("Application", "AppProject"):
            for doc in tree.manifests(kind, domain.ARGOCD_API_VERSION):
                yield (kind, doc.ident.namespace, doc.ident.name), Site(tree, doc, ("metadata", "name"))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    for site, first in collisions(_sites(trees)):
        yield CrossFinding(site, f"also defined by environment {first.tree.env} at {first}: one Argo CD would see "
                           "one object and the environments would overwrite each other",
                           hint="prefix Argo CD object names with the environment")
