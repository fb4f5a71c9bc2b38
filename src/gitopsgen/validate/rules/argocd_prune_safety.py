"""argocd-prune-safety: in production, no pruned Application deletes credentials or the CRDs of data objects.

Removing or renaming a file under `apps/` makes the root prune that child Application, and its
resources finalizer deletes what it manages (`gitopsgen.validate.prune` follows the chain over the
rendered objects: finalizers, namespace deletion, owner references). The data objects themselves
and their Namespaces carry `Delete=false` (argocd-delete-protection); this rule closes the other
paths, in an environment whose AppProject is labelled `gitopsgen.io/tier: production`:

* owner references: a Secret an ExternalSecret writes with `creationPolicy: Owner` (the CRD's
  default) is garbage-collected with the ExternalSecret, so the S3 backup credentials, the Redis
  password, the tunnel credentials and the DNS token would go with a pruned `secrets`
  Application; `Orphan` writes them without owner reference (external-secrets v2.9.0
  `apis/externalsecrets/v1/externalsecret_types.go`). Secrets lost by deleting an unprotected
  Namespace are reported at the Namespace;
* CRDs: Argo CD's cascade never deletes a CRD (`controller/appcontroller.go` `shouldBeDeleted`,
  v3.5.1), but an automated sync prunes one that the chart stops rendering, and with it every
  object of its kinds. So the charts installing the CRDs of data objects and of ExternalSecrets
  keep rendering them: `crds.create` of cloudnative-pg and plugin-barman-cloud and
  `installCRDs` of external-secrets stay true, and no such Application sets `helm.skipCrds`
  (which drops redis-operator's `crds/`). The cloudnative-pg (0.29.0) and plugin-barman-cloud
  (0.7.0) charts annotate their CRDs `helm.sh/resource-policy: keep` themselves; external-secrets
  (2.9.0) takes annotations from `crds.annotations`, which must hold that and `Prune=false` (the
  live CRD then survives a sync that no longer renders it).

Upstream: Argo CD docs/user-guide/sync-options.md, docs/user-guide/helm.md
(`helm.sh/resource-policy: keep` is `Delete=false`), gitops-engine `pkg/sync/sync_context.go`
(prune honours `Prune=false` only); external-secrets `hack/helm.generate.sh` (crds.annotations).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Document, Manifest, RenderedTree
from gitopsgen.validate import prune, toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-prune-safety"
CRD_SWITCH: dict[str, tuple[str, ...]] = {
    "cloudnative-pg": ("crds", "create"),
    "plugin-barman-cloud": ("crds", "create"),
    "external-secrets": ("installCRDs",),
    "redis-operator": (),
}
"""Charts whose CRDs hold data objects or ExternalSecrets -> their values switch installing the
CRDs (default true in every one); redis-operator installs them from `crds/`, without a switch."""
ANNOTATED_CRDS = {"external-secrets": ("crds", "annotations")}
"""Charts that copy values onto their CRDs' annotations."""
WANTED = {prune.KEEP_ANNOTATION: "keep", domain.SYNC_OPTIONS: "Prune=false"}


def check(tree: RenderedTree) -> Iterator[Finding]:
    if not toolkit.production(tree):
        return
    yield from _credentials(tree)
    for app in toolkit.applications(tree):
        for source in toolkit.sources(app):
            if source.chart in CRD_SWITCH:
                yield from _crds(tree, app, source)


def _credentials(tree: RenderedTree) -> Iterator[Finding]:
    secrets = prune.credentials(tree)
    reported: set[tuple[str, str | None, str]] = set()
    for item in prune.losses(tree):
        if ("Secret", item.namespace, item.name) not in secrets or item.doc is None:
            continue
        through_namespace = "namespace deletion" in item.because
        doc: Document | None = tree.get("Namespace", item.namespace or "") if through_namespace else item.doc
        if doc is None or doc.identity is None:
            continue
        key = (doc.identity.kind, doc.identity.namespace, doc.identity.name)  # one finding per cause
        if key in reported:
            continue
        reported.add(key)
        chain = " -> ".join(item.because)
        if through_namespace:
            yield Finding(("metadata",), f"holds credentials (Secret {item.name}) that go with it: {chain}",
                          hint=f"annotate {domain.SYNC_OPTIONS}: \"Delete=false,Prune=false\"", doc=doc)
            continue
        where = ("spec", "target", "creationPolicy") if dig(doc.data, "spec", "target", "creationPolicy") \
            else ("spec", "target")
        yield Finding(where, f"the Secret {item.name} it writes is garbage-collected with it: {chain}",
                      hint="write it with spec.target.creationPolicy: Orphan (no owner reference)", doc=doc)


def _crds(tree: RenderedTree, app: Manifest, source: toolkit.Source) -> Iterator[Finding]:
    chart = str(source.chart)
    if dig(source.data, "helm", "skipCrds") is True:
        yield Finding((*source.path, "helm", "skipCrds"), f"drops the CRDs of chart {chart}: the next sync "
                      "prunes them, and every object of their kinds with them", hint="remove helm.skipCrds", doc=app)
    paths = toolkit.values_paths(tree, app, source)
    docs = [doc for doc in map(tree.first, paths) if doc is not None]
    values = toolkit.merged_values(tree, paths)
    switch = CRD_SWITCH[chart]
    if switch and dig(values, *switch) is False:
        where = next((d for d in reversed(docs) if dig(d.data, *switch) is not None), docs[-1] if docs else app)
        yield Finding(switch, f"chart {chart} no longer renders its CRDs: the next sync prunes them, and "
                      "every object of their kinds with them", hint=f"keep {'.'.join(switch)}: true", doc=where)
    annotations_at = ANNOTATED_CRDS.get(chart)
    if annotations_at is None:
        return
    have = dig(values, *annotations_at)
    have = have if isinstance(have, dict) else {}
    lacking = [f"{k}: {v}" for k, v in WANTED.items() if v not in str(have.get(k, "")).split(",")]
    if lacking:
        where = docs[-1] if docs else app
        yield Finding(annotations_at[:1] if dig(where.data, annotations_at[0]) is not None else (),
                      f"the {chart} CRDs lack {' and '.join(lacking)}: a sync that stops rendering them, or "
                      "an uninstall, deletes every ExternalSecret", hint=f"set {'.'.join(annotations_at)}: "
                      + ", ".join(f"{k}: {v}" for k, v in WANTED.items()), doc=where)
