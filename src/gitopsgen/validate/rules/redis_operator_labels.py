"""redis-operator-labels: Redis CRs carry none of the labels the operator's Services select on.

Facts: docs/components.md §2.

OT redis-operator v0.26.0 labels pods `app`, `redis_setup_type`, `role` and (replication)
`redis-role`, and merges the CR's own labels **over** them (internal/controller/common/labels.go).
A CR label with one of these keys therefore changes the pod labels, and the operator's own
Services (`<name>`, `<name>-master`, `<name>-sentinel`, ...) stop selecting the pods.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, redis_docs

ID = "redis-operator-labels"


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc in redis_docs(tree):
        labels = dig(doc.data, "metadata", "labels", default={}) or {}
        for key in domain.REDIS_OPERATOR_POD_LABELS:
            if isinstance(labels, dict) and key in labels:
                yield Finding(("metadata", "labels", key), f"label {key!r} overrides the operator's "
                              "pod label and breaks its Service selectors",
                              hint="use app.kubernetes.io/* labels instead", doc=doc)
