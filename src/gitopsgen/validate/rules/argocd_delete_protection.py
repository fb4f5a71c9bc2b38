"""argocd-delete-protection: no sync or cascade deletes production data.

CloudNativePG deletes a Cluster's PVCs with the Cluster, the OT operator its Redis
StatefulSets with their claims. Every child Application carries the resources finalizer and the
root prunes: removing or renaming a child (or its namespace) in Git, or deleting it, would
cascade into the database. In an environment whose AppProject is labelled
`gitopsgen.io/tier: production`:

* a CloudNativePG `Cluster` carries `argocd.argoproj.io/sync-options` with `Delete=false` (kept
  when its Application is deleted) and `Prune=false` (kept, and reported OutOfSync, when it
  disappears from Git);
* Barman Cloud `ObjectStore`s and OT Redis custom resources carry `Delete=false`;
* every rendered Namespace that holds one of them carries both: deleting a namespace deletes
  everything in it, whatever its objects say.

Upstream: Argo CD docs/user-guide/sync-options.md ("No Prune Resources", "No Resource Deletion",
several options joined with ","); CloudNativePG docs (PVCs go with the Cluster,
docs/components.md §1).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import Finding, production, redis_docs, sync_options_of

ID = "argocd-delete-protection"
OPTIONS = ("metadata", "annotations", domain.SYNC_OPTIONS)


def _stateful(tree: RenderedTree) -> Iterator[tuple[Manifest, tuple[str, ...]]]:
    for doc in tree.manifests("Cluster", domain.CNPG_API_VERSION):
        yield doc, ("Delete=false", "Prune=false")
    for doc in tree.manifests("ObjectStore", domain.BARMAN_API_VERSION):
        yield doc, ("Delete=false",)
    for doc in redis_docs(tree):
        yield doc, ("Delete=false",)


def check(tree: RenderedTree) -> Iterator[Finding]:
    if not production(tree):
        return
    holding: set[str] = set()
    for doc, wanted in _stateful(tree):
        if doc.ident.namespace:
            holding.add(doc.ident.namespace)
        yield from _missing(doc, wanted)
    for namespace in sorted(holding):
        namespace_doc = tree.get("Namespace", namespace)
        if namespace_doc is not None:
            yield from _missing(namespace_doc, ("Delete=false", "Prune=false"), "holds stateful resources, ")


def _missing(doc: Manifest, wanted: tuple[str, ...], why: str = "") -> Iterator[Finding]:
    have = sync_options_of(doc)
    lacking = [option for option in wanted if option not in have]
    if lacking:
        where = OPTIONS if domain.SYNC_OPTIONS in (doc.data.get("metadata", {}).get("annotations") or {}) \
            else ("metadata",)
        yield Finding(where, f"{why}a production {doc.ident.kind} without {' and '.join(lacking)}: a pruned "
                      "or deleted Application would delete it and its data",
                      hint=f"annotate {domain.SYNC_OPTIONS}: \"{','.join(sorted(have | set(wanted)))}\"", doc=doc)
