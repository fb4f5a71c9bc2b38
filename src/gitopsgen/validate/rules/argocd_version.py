"""argocd-version: no field that the environment's Argo CD version silently drops.

Argo CD stores Applications and AppProjects through its CRDs, whose structural schemas prune
every field they do not know: an older Argo CD accepts the object and loses the field without a
word. Some losses are harmless, these are not:

* AppProject `spec.clusterResourceWhitelist[].name` (and the namespace lists' `name`) exists
  from 3.3.0: before, the entry `{group: "", kind: Namespace, name: example-prd}` becomes
  `{group: "", kind: Namespace}` and the project allows every Namespace;
* Application `spec.syncPolicy.retry.refresh` exists from 3.2.0: before, a retry keeps syncing
  the failed commit instead of the newest one;
* Application `spec.sources` from 2.6.0 (before, a multi-source Application has no source) and
  `helm.valuesObject` from 2.8.0.

The version comes from the environment's AppProject annotation `gitopsgen.io/argocd-version`
(spec `argocd.version`); a tree without it is not checked.

Upstream: argoproj/argo-cd manifests/crds/appproject-crd.yaml and application-crd.yaml at the
tags v2.5.0, v2.6.0, v2.7.0, v2.8.0, v3.1.0, v3.2.0, v3.3.0 (the first tag whose CRD has the field).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-version"
Version = tuple[int, int, int]
RESTRICTION_LISTS = ("clusterResourceWhitelist", "clusterResourceBlacklist", "namespaceResourceWhitelist",
                     "namespaceResourceBlacklist")


def parse(raw: Any) -> Version | None:
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?", str(raw).strip()) if raw is not None else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def declared(tree: RenderedTree) -> Version | None:
    """The oldest Argo CD version any AppProject of the tree declares."""
    found = [v for doc in tree.manifests("AppProject", domain.ARGOCD_API_VERSION)
             if (v := parse(dig(doc.data, "metadata", "annotations", domain.ARGOCD_VERSION_ANNOTATION)))]
    return min(found) if found else None


def _uses(doc: Manifest) -> Iterator[tuple[tuple[str | int, ...], Version, str]]:
    """(path, first version with the field, what an older version does) for each such field."""
    spec = doc.data.get("spec") if isinstance(doc.data, dict) else None
    if not isinstance(spec, dict):
        return
    if doc.ident.kind == "AppProject":
        for key in RESTRICTION_LISTS:
            for i, entry in enumerate(spec.get(key) or []):
                if isinstance(entry, dict) and "name" in entry:
                    yield (("spec", key, i, "name"), (3, 3, 0),
                           f"drops the name, so the entry matches every {entry.get('kind', 'object')}")
        return
    if dig(spec, "syncPolicy", "retry", "refresh") is not None:
        yield (("spec", "syncPolicy", "retry", "refresh"), (3, 2, 0),
               "drops it, so a retry keeps syncing the failed commit")
    if "sources" in spec:
        yield ("spec", "sources"), (2, 6, 0), "drops it, so the Application has no source"
    for i, source in enumerate(spec.get("sources") or [spec.get("source")]):
        if isinstance(source, dict) and dig(source, "helm", "valuesObject") is not None:
            where = ("spec", "sources", i) if "sources" in spec else ("spec", "source")
            yield (*where, "helm", "valuesObject"), (2, 8, 0), "drops the values"


def check(tree: RenderedTree) -> Iterator[Finding]:
    version = declared(tree)
    if version is None:
        return
    for kind in ("AppProject", "Application"):
        for doc in tree.manifests(kind, domain.ARGOCD_API_VERSION):
            for path, needs, loss in _uses(doc):
                if version < needs:
                    wanted = ".".join(map(str, needs))
                    yield Finding(path, f"needs Argo CD {wanted}; the declared "
                                  f"{'.'.join(map(str, version))} {loss}",
                                  hint=f"raise argocd.version to {wanted} (and upgrade Argo CD), "
                                  "or leave the field out", doc=doc)
