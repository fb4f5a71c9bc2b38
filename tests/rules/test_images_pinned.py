"""images-pinned: every image the platform runs is pinned to a tag or digest (DOMAIN X14)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import images_pinned
from kit import assert_findings, line_with, mutate

API = "manifests/example-api/deployment.yaml"


REDIS = "manifests/data/redis.yaml"


def _replication(docs: list[Any]) -> dict[str, Any]:
    return docs[0]  # type: ignore[no-any-return]


def test_unpinned_redis_and_app_images_are_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS, lambda d: d[0]["spec"]["kubernetesConfig"]
                  .update(image="localhost:5000/opstree/redis"))
    tree = mutate(tree, API, lambda d: d[0]["spec"]["template"]["spec"]["containers"][0]
                  .update(image="ghcr.io/example-org/example-api:latest"))
    assert_findings(images_pinned, tree, [
        (API, line_with(tree, API, "image: ghcr.io/example-org/example-api:latest")),
        (REDIS, line_with(tree, REDIS, "image: localhost:5000/opstree/redis")),
    ])


def test_a_redis_exporter_needs_its_own_pinned_image(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _replication(d)["spec"].update(redisExporter={"enabled": True}))
    assert_findings(images_pinned, tree, [(REDIS, line_with(tree, REDIS, "redisExporter:"))])
    digest = "quay.io/opstree/redis-exporter@sha256:" + "a" * 64
    pinned = mutate(tree, REDIS, lambda d: _replication(d)["spec"]["redisExporter"].update(image=digest))
    assert_findings(images_pinned, pinned, [])
