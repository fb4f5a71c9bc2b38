"""eso-doppler-keys: ExternalSecrets ask Doppler for names Doppler can hold.

Facts: docs/components.md §3.

Doppler secret names are UPPER_SNAKE_CASE (`REDIS_PASSWORD`; docs/provider/doppler.md). A
`remoteRef.key` of another shape never matches and the ExternalSecret fails to sync, unless the
store sets a `nameTransformer` (upper-camel, lower-snake, ...), which renames keys on the way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig

ID = "eso-doppler-keys"
DOPPLER_NAME = re.compile(r"^[A-Z0-9_]+$")


def check(tree: RenderedTree) -> Iterator[Finding]:
    doppler = {}
    for store in tree.manifests("ClusterSecretStore"):
        provider = dig(store.data, "spec", "provider", "doppler")
        if isinstance(provider, dict):
            doppler[store.ident.name] = bool(provider.get("nameTransformer"))
    for doc in tree.manifests("ExternalSecret"):
        store = dig(doc.data, "spec", "secretStoreRef", "name")
        if store not in doppler or doppler[store]:
            continue
        for i, item in enumerate(dig(doc.data, "spec", "data", default=[]) or []):
            key = dig(item, "remoteRef", "key")
            if not isinstance(key, str) or not DOPPLER_NAME.match(key):
                yield Finding(("spec", "data", i, "remoteRef", "key"),
                              f"remoteRef.key {key!r} is not a Doppler secret name (UPPER_SNAKE_CASE)", doc=doc)
