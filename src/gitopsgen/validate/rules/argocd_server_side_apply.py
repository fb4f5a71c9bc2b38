"""argocd-server-side-apply: operators with large CRDs are installed with server-side apply.

Facts: docs/components.md §7.

Client-side `kubectl apply` keeps the whole object in the `kubectl.kubernetes.io/last-applied-
configuration` annotation, capped at 262144 bytes; the CRDs of CloudNativePG (clusters ~464 KB,
poolers ~653 KB), External Secrets (clustersecretstores ~690 KB: "Our CRDs have reached the 256KB
limit") and the OT Redis Operator (327-522 KB) exceed it and the sync fails with
"metadata.annotations: Too long". Every Application with a Helm source for one of those charts must
therefore carry `ServerSideApply=true` in `spec.syncPolicy.syncOptions`.

Upstream: cloudnative-pg/cloudnative-pg#4377, cloudnative-pg/charts#325, CNPG
docs/src/installation_upgrade.md (`kubectl apply --server-side`), ESO getting-started docs,
Argo CD docs/user-guide/sync-options.md ("Server-Side Apply").
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding

ID = "argocd-server-side-apply"


def check(tree: RenderedTree) -> Iterator[Finding]:
    for app in toolkit.applications(tree):
        large = sorted(c for c in toolkit.charts(app) if c in domain.LARGE_CRD_CHARTS)
        if large and "ServerSideApply=true" not in toolkit.sync_options(app):
            yield Finding(
                ("spec", "syncPolicy", "syncOptions"),
                f"installs chart {', '.join(large)}, whose CRDs are too large for client-side apply, "
                "without ServerSideApply=true",
                hint="add ServerSideApply=true to spec.syncPolicy.syncOptions", doc=app)
