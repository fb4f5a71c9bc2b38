"""images-pinned: every image the platform runs is pinned to a tag or digest.

Facts: docs/components.md §2.

An image without a tag means `:latest`, which changes under the cluster without a commit: a
rollback in Git no longer rolls anything back. OT redis-operator's own examples use `:latest`
(docs/components.md §2), so this is easy to copy by accident. Checked: every container and init
container of a workload, and in OT Redis CRs `kubernetesConfig.image`, `redisExporter.image`
(which is also **required** whenever a `redisExporter` block is present), `initContainer.image`
and `sidecars[].image`. CloudNativePG's `imageName` is checked by `cnpg-cluster`.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, containers, dig, redis_docs, unpinned

ID = "images-pinned"


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc in tree.manifests():
        for path, container in containers(doc):
            if (why := unpinned(container.get("image"))) is not None:
                yield Finding((*path, "image"), why, hint="pin a version tag or a digest", doc=doc)
    for doc in redis_docs(tree):
        spec = doc.data.get("spec") or {}
        paths: list[tuple[str | int, ...]] = [("spec", "kubernetesConfig", "image")]
        if "redisExporter" in spec:
            paths.append(("spec", "redisExporter", "image"))
        if "initContainer" in spec:
            paths.append(("spec", "initContainer", "image"))
        paths.extend(("spec", "sidecars", i, "image") for i in range(len(spec.get("sidecars") or [])))
        for path in paths:
            if (why := unpinned(dig(doc.data, *path))) is not None:
                yield Finding(path, why, hint="pin a version tag, e.g. v7.0.15", doc=doc)
