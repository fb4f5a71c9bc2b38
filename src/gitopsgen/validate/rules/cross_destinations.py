"""cross-destinations: no two environments deploy the same cluster-scoped object to one cluster.

Each environment installs its operators, its Doppler `ClusterSecretStore` and its namespaces into
the cluster its Applications name (`spec.destination`: `server` or cluster `name`). Two
environments aimed at the same cluster (a staging copy of production that kept its destination)
would own the same Namespaces and the same ClusterSecretStore: one Argo CD Application would
overwrite the other's, the store would flip between two Doppler configs, and deleting one
environment would delete the other's namespaces. Cluster-scoped objects deployed from Git must
therefore differ per destination.

Upstream: Argo CD docs/user-guide/sync-options.md (`FailOnSharedResource`, "shared resource"
warnings), docs/operator-manual/declarative-setup.md (clusters by server or name).
Run by `render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import CrossFinding, Site, collisions, dig

ID = "cross-destinations"


def _sites(trees: Sequence[RenderedTree]) -> Iterator[tuple[object, Site]]:
    for tree in trees:
        for app in toolkit.applications(tree):
            target = dig(app.data, "spec", "destination", default={}) or {}
            cluster = ("server", target["server"]) if target.get("server") else ("name", target.get("name"))
            for doc in toolkit.deployed(tree, app):
                ident = doc.identity
                if ident is not None and (ident.group, ident.kind) in domain.CLUSTER_SCOPED_KINDS:
                    yield (cluster, ident.group, ident.kind, ident.name), Site(tree, doc, ("metadata", "name"))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    for site, first in collisions(_sites(trees)):
        yield CrossFinding(site, f"environment {site.tree.env} deploys it to the same cluster as {first}: the two "
                           "environments would own one object",
                           hint="give the environment its own cluster (argocd.destination)")
