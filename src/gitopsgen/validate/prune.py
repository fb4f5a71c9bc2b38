"""What Argo CD and Kubernetes delete when an Application leaves Git, followed over the rendered objects.

Removing or renaming a file under `apps/` makes the root Application prune the child
Application it described. The child's resources finalizer then deletes what it manages
(Argo CD `controller/appcontroller.go`, `shouldBeDeleted`, v3.5.1), except

* CustomResourceDefinitions, which the cascade never deletes (`!kube.IsCRD(obj)`, since v1.1);
* objects annotated `argocd.argoproj.io/sync-options: Delete=false` or
  `helm.sh/resource-policy: keep` (the same test), or every object when the Application's own
  `syncOptions` hold `Delete=false`.

Kubernetes then finishes the job: a deleted Namespace takes everything in it, and a deleted
owner takes the objects whose owner reference names it. The rendered objects carry no owner
references themselves; the one the platform depends on is the ExternalSecret's: with
`target.creationPolicy: Owner` (the CRD default) External Secrets sets it on the Secret it
writes, with `Orphan` it does not (external-secrets v2.9.0
`apis/externalsecrets/v1/externalsecret_types.go`). A deleted Application that is itself
managed by the pruned one cascades in turn when it carries a propagation finalizer.

`pruned(tree, app)` returns every object that goes, rendered documents and the Secrets that
ExternalSecrets deliver, with the chain that deletes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gitopsgen.facts import domain
from gitopsgen.tree.argocd import sync_options
from gitopsgen.tree.manifests import Document, Manifest, RenderedTree
from gitopsgen.validate.toolkit import applications, deployed, dig, es_target, redis_docs, sync_options_of

KEEP_ANNOTATION = "helm.sh/resource-policy"
OWNER = "Owner"
"""ExternalSecret `target.creationPolicy` default (external-secrets v2.9.0 CRD)."""


@dataclass(frozen=True)
class Deleted:
    """One object a pruned Application deletes."""

    kind: str
    namespace: str | None
    name: str
    because: tuple[str, ...]
    """The chain, from the pruned Application to this object, for messages."""
    doc: Document | None
    """The rendered document: the object itself, or for a Secret the ExternalSecret that writes it."""

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def cascades(app: Document) -> bool:
    """Whether deleting the Application deletes what it manages (a propagation finalizer)."""
    finalizers = dig(app.data, "metadata", "finalizers")
    return isinstance(finalizers, list) and any(f in domain.FINALIZERS for f in finalizers)


def kept(doc: Document, app: Document) -> bool:
    """Whether Argo CD's cascade leaves `doc` alone (shouldBeDeleted is false)."""
    if doc.identity is not None and doc.identity.kind == "CustomResourceDefinition":
        return True
    options = sync_options_of(doc)
    if "Delete=false" in options:
        return True
    if "Delete=true" not in options and "Delete=false" in sync_options(app):
        return True
    return str(dig(doc.data, "metadata", "annotations", KEEP_ANNOTATION) or "").strip() == "keep"


def _es_secret(doc: Manifest, because: tuple[str, ...]) -> Deleted | None:
    policy = dig(doc.data, "spec", "target", "creationPolicy") or OWNER
    if policy != OWNER:
        return None
    return Deleted("Secret", doc.ident.namespace, es_target(doc), (*because, "owner reference"), doc)


def pruned(tree: RenderedTree, app: Manifest) -> list[Deleted]:
    """Everything that goes when `app` is pruned or deleted, in the order the chain reaches it."""
    out: list[Deleted] = []
    seen: set[tuple[str, str | None, str]] = set()

    def add(item: Deleted) -> bool:
        key = (item.kind, item.namespace, item.name)
        if key in seen:
            return False
        seen.add(key)
        out.append(item)
        return True

    def delete(doc: Manifest, because: tuple[str, ...]) -> None:
        if not add(Deleted(doc.ident.kind, doc.ident.namespace, doc.ident.name, because, doc)):
            return
        chain = (*because, str(out[-1]))
        if doc.ident.kind == "ExternalSecret" and (secret := _es_secret(doc, chain)) is not None:
            add(secret)
        elif doc.ident.kind == "Namespace":
            for inside in tree.manifests():
                if inside.ident.namespace == doc.ident.name:
                    delete(inside, (*chain, "namespace deletion"))
            for es in tree.manifests("ExternalSecret"):
                if es.ident.namespace == doc.ident.name:
                    add(Deleted("Secret", es.ident.namespace, es_target(es), (*chain, "namespace deletion"), es))
        elif doc.ident.kind == "Application" and doc.ident.api_version == domain.ARGOCD_API_VERSION:
            finalize(doc, chain)

    def finalize(owner: Manifest, because: tuple[str, ...]) -> None:
        if not cascades(owner):
            return
        for doc in deployed(tree, owner):
            if isinstance(doc, Manifest) and not kept(doc, owner):
                delete(doc, (*because, "resources finalizer"))

    start = (f"Application {app.ident.name} pruned",)
    finalize(app, start)
    return out


def data_objects(tree: RenderedTree) -> set[tuple[str, str | None, str]]:
    """(kind, namespace, name) of the objects whose deletion loses data: CloudNativePG Clusters
    (their PVCs go with them), Barman Cloud ObjectStores, OT Redis resources, their Namespaces."""
    found = {(d.ident.kind, d.ident.namespace, d.ident.name)
             for d in tree.manifests("Cluster", domain.CNPG_API_VERSION)}
    found |= {(d.ident.kind, d.ident.namespace, d.ident.name)
              for d in tree.manifests("ObjectStore", domain.BARMAN_API_VERSION)}
    found |= {(d.ident.kind, d.ident.namespace, d.ident.name) for d in redis_docs(tree)}
    found |= {("Namespace", None, ns) for _, ns, _ in list(found) if ns}
    return found


def credentials(tree: RenderedTree) -> set[tuple[str, str | None, str]]:
    """(kind, namespace, name) of the Secrets ExternalSecrets deliver: database backup, Redis,
    tunnel and DNS credentials; losing one stops backups, the cache or the edge."""
    return {("Secret", es.ident.namespace, es_target(es)) for es in tree.manifests("ExternalSecret")}


def losses(tree: RenderedTree) -> Iterator[Deleted]:
    """Every data object or credential some child Application's pruning deletes."""
    precious = data_objects(tree) | credentials(tree)
    for app in applications(tree):
        for item in pruned(tree, app):
            if (item.kind, item.namespace, item.name) in precious:
                yield item
