"""eso-store-ref: every ExternalSecret is served and reads from a rendered ClusterSecretStore.

Facts: docs/components.md §3.

* `apiVersion` must be `external-secrets.io/v1`: `v1beta1` is `served: false` since ESO v0.17.0,
  so an API server running ESO v2.9.0 refuses anything else (docs/components.md §3).
* `spec.secretStoreRef.kind` must be `ClusterSecretStore` (the default is a namespaced
  `SecretStore`, which this platform does not render), and `secretStoreRef.name` must name a
  `ClusterSecretStore` of the same tree, else the ExternalSecret stays `SecretSyncedError`.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig

ID = "eso-store-ref"


def check(tree: RenderedTree) -> Iterator[Finding]:
    stores = {doc.ident.name for doc in tree.manifests("ClusterSecretStore")
              if doc.ident.group == domain.ESO_GROUP}
    for doc in tree.manifests("ExternalSecret"):
        if doc.ident.group != domain.ESO_GROUP:
            continue
        if doc.ident.api_version != domain.ESO_API_VERSION:
            yield Finding(("apiVersion",), f"{doc.ident.api_version} is not served by ESO v2.9.0",
                          hint=f"use apiVersion: {domain.ESO_API_VERSION}", doc=doc)
        kind = dig(doc.data, "spec", "secretStoreRef", "kind")
        if kind != "ClusterSecretStore":
            yield Finding(("spec", "secretStoreRef", "kind"),
                          f"secretStoreRef.kind is {kind!r}, not ClusterSecretStore",
                          hint="an unset kind means a namespaced SecretStore, which is not rendered", doc=doc)
        name = dig(doc.data, "spec", "secretStoreRef", "name")
        if name not in stores:
            known = ", ".join(sorted(stores)) or "none"
            yield Finding(("spec", "secretStoreRef", "name"),
                          f"secretStoreRef.name {name!r} is not a rendered ClusterSecretStore",
                          hint=f"rendered stores: {known}", doc=doc)
