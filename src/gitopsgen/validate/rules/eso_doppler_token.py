"""eso-doppler-token: the Doppler ClusterSecretStore names its token Secret fully.

Facts: docs/components.md §3.

ESO v2.9.0 (providers/v1/doppler/provider.go, esutils.ValidateSecretSelector) refuses a
`ClusterSecretStore` whose `auth.secretRef.dopplerToken` has no `namespace` ("requires namespace":
a cluster-scoped store has no namespace of its own to fall back to) or an empty `name`
("dopplerToken.name cannot be empty"). Exactly one of `secretRef` and `oidcConfig` may be set.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig

ID = "eso-doppler-token"
AUTH = ("spec", "provider", "doppler", "auth")


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc in tree.manifests("ClusterSecretStore"):
        auth = dig(doc.data, *AUTH)
        if not isinstance(auth, dict):
            continue
        if ("secretRef" in auth) == ("oidcConfig" in auth):
            yield Finding(AUTH, "doppler auth needs exactly one of secretRef and oidcConfig", doc=doc)
        token = dig(auth, "secretRef", "dopplerToken")
        if "secretRef" not in auth:
            continue
        path = (*AUTH, "secretRef", "dopplerToken")
        if not isinstance(token, dict) or not token.get("name"):
            yield Finding(path, "dopplerToken.name cannot be empty", doc=doc)
        if not isinstance(token, dict) or not token.get("namespace"):
            yield Finding(path, "dopplerToken of a ClusterSecretStore requires namespace",
                          hint="name the namespace of the bootstrapped doppler-token Secret", doc=doc)
