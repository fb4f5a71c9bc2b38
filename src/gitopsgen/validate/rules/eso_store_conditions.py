"""eso-store-conditions: a ClusterSecretStore serves only the namespaces that need it.

A ClusterSecretStore without `spec.conditions` serves ExternalSecrets in every namespace: anyone
who may create an ExternalSecret anywhere can read every secret of its Doppler config (the tunnel
credentials, the Cloudflare token) into a namespace of their own. So:

* every ClusterSecretStore has `conditions`, and each condition restricts something
  (`namespaces`, `namespaceSelector` or `namespaceRegexes`);
* every ExternalSecret that reads from a rendered ClusterSecretStore sits in a namespace its
  conditions admit (listed, matching a regular expression, or whose rendered Namespace labels,
  plus `kubernetes.io/metadata.name`, match the selector); otherwise ESO refuses it.

Upstream: external-secrets v2.9.0 apis/externalsecrets/v1 ClusterSecretStoreCondition
("Used to constrain a ClusterSecretStore to specific namespaces"), docs/api/clustersecretstore.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, namespace_labels, selects

ID = "eso-store-conditions"


def check(tree: RenderedTree) -> Iterator[Finding]:
    stores = {doc.ident.name: doc for doc in tree.manifests("ClusterSecretStore")
              if doc.ident.group == domain.ESO_GROUP}
    for store in stores.values():
        conditions = dig(store.data, "spec", "conditions")
        if not isinstance(conditions, list) or not conditions:
            yield Finding(("spec",), "has no conditions: ExternalSecrets in any namespace can read every "
                          "secret of this store", hint="add spec.conditions: [{namespaces: [...]}]", doc=store)
            continue
        for i, condition in enumerate(conditions):
            if not any(dig(condition, key) for key in ("namespaces", "namespaceSelector", "namespaceRegexes")):
                yield Finding(("spec", "conditions", i), "condition restricts nothing",
                              hint="name the namespaces (namespaces, namespaceSelector or namespaceRegexes)", doc=store)
    for es in tree.manifests("ExternalSecret"):
        ref = dig(es.data, "spec", "secretStoreRef", default={}) or {}
        target = stores.get(str(ref.get("name"))) if ref.get("kind") == "ClusterSecretStore" else None
        conditions = dig(target.data, "spec", "conditions") if target is not None else None
        namespace = es.ident.namespace
        if target is None or not isinstance(conditions, list) or not conditions or namespace is None:
            continue
        if not any(_admits(tree, condition, namespace) for condition in conditions):
            yield Finding(("metadata", "namespace"), f"namespace {namespace!r} is not admitted by the "
                          f"conditions of ClusterSecretStore {target.ident.name!r}: ESO will not sync it",
                          hint=f"add {namespace} to the store's conditions", doc=es)


def _admits(tree: RenderedTree, condition: Any, namespace: str) -> bool:
    if not isinstance(condition, dict):
        return False
    if namespace in (condition.get("namespaces") or []):
        return True
    for pattern in condition.get("namespaceRegexes") or []:
        try:
            if re.search(str(pattern), namespace):
                return True
        except re.error:
            continue
    selector = condition.get("namespaceSelector")
    return isinstance(selector, dict) and bool(selector) and selects(selector, namespace_labels(tree, namespace))
