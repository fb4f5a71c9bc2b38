"""eso-store-ref: every ExternalSecret is served and reads from a rendered ClusterSecretStore (DOMAIN X1).

* `apiVersion` must be `external-secrets.io/v1`: `v1beta1` is `served: false` since ESO v0.17.0,
  so an API server running ESO v2.9.0 refuses anything else (DOMAIN section 3).
* `spec.secretStoreRef.kind` must be `ClusterSecretStore` (the default is a namespaced
  `SecretStore`, which this platform does not render), and `secretStoreRef.name` must name a
  `ClusterSecretStore` of the same tree, else the ExternalSecret stays `SecretSyncedError`.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.rules import dig, finding
from gitopsgen.validate.rules._platform import identity

ID = "eso-store-ref"
API_VERSION = "external-secrets.io/v1"


def check(tree: RenderedTree) -> Iterator[Problem]:
    stores = {identity(doc).name for doc in tree.manifests("ClusterSecretStore")
              if doc.identity and identity(doc).group == "external-secrets.io"}
    for doc in tree.manifests("ExternalSecret"):
        ident = doc.identity
        assert ident is not None
        if ident.group != "external-secrets.io":
            continue
        if ident.api_version != API_VERSION:
            yield finding(tree, doc, ("apiVersion",), f"{ident.api_version} is not served by ESO v2.9.0",
                          rule=ID, hint=f"use apiVersion: {API_VERSION}")
        kind = dig(doc.data, "spec", "secretStoreRef", "kind")
        if kind != "ClusterSecretStore":
            yield finding(tree, doc, ("spec", "secretStoreRef", "kind"),
                          f"secretStoreRef.kind is {kind!r}, not ClusterSecretStore", rule=ID,
                          hint="an unset kind means a namespaced SecretStore, which is not rendered")
        name = dig(doc.data, "spec", "secretStoreRef", "name")
        if name not in stores:
            known = ", ".join(sorted(stores)) or "none"
            yield finding(tree, doc, ("spec", "secretStoreRef", "name"),
                          f"secretStoreRef.name {name!r} is not a rendered ClusterSecretStore", rule=ID,
                          hint=f"rendered stores: {known}")
