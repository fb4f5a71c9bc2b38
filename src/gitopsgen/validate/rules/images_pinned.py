"""images-pinned: every image the platform runs is pinned to a tag or digest (DOMAIN X14).

An image without a tag means `:latest`, which changes under the cluster without a commit: a
rollback in Git no longer rolls anything back. OT redis-operator's own examples use `:latest`
(DOMAIN section 2), so this is easy to copy by accident. Checked: every container and init
container of a workload, and in OT Redis CRs `kubernetesConfig.image`, `redisExporter.image`
(which is also **required** whenever a `redisExporter` block is present), `initContainer.image`
and `sidecars[].image`. CloudNativePG's `imageName` is checked by `cnpg-cluster`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.rules import dig, finding
from gitopsgen.validate.rules._platform import containers, redis_docs

ID = "images-pinned"


def image_tag(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference; a registry port is not a tag."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else None
    return tag or None, digest or None


def unpinned(image: Any) -> str | None:
    """Why `image` is not pinned, or None."""
    if not isinstance(image, str) or not image:
        return "no image is set"
    tag, digest = image_tag(image)
    if digest:
        return None
    if tag is None:
        return f"image {image!r} has no tag (means :latest)"
    if tag == "latest":
        return f"image {image!r} uses :latest"
    return None


def check(tree: RenderedTree) -> Iterator[Problem]:
    for doc in tree.manifests():
        for path, container in containers(doc):
            if (why := unpinned(container.get("image"))) is not None:
                yield finding(tree, doc, (*path, "image"), why, rule=ID, hint="pin a version tag or a digest")
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
                yield finding(tree, doc, path, why, rule=ID, hint="pin a version tag, e.g. v7.0.15")
