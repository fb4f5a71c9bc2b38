"""redis-sentinel-refs: a RedisSentinel watches a real replication, set up once (DOMAIN X7, X9)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_sentinel_refs
from kit import assert_findings, line_with, mutate

REDIS = "manifests/data/redis.yaml"


def _replication(docs: list[Any]) -> dict[str, Any]:
    return docs[0]  # type: ignore[no-any-return]


def _sentinel(docs: list[Any]) -> dict[str, Any]:
    return docs[1]  # type: ignore[no-any-return]


def test_sentinel_must_name_a_replication_in_its_namespace(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"]
                  .update(redisReplicationName="cache"))
    found = assert_findings(redis_sentinel_refs, tree, [(REDIS, line_with(tree, REDIS, "redisReplicationName: cache"))])
    assert found[0].hint == "replications there: example-redis"


def test_watched_replication_needs_a_replica_and_no_embedded_sentinel(rendered: dict[str, RenderedTree]) -> None:
    def change(docs: list[Any]) -> None:
        _replication(docs)["spec"]["clusterSize"] = 1
        _replication(docs)["spec"]["sentinel"] = {"size": 3}

    tree = mutate(rendered["prd"], REDIS, change)
    assert_findings(redis_sentinel_refs, tree, [
        (REDIS, line_with(tree, REDIS, "clusterSize: 1")),
        (REDIS, line_with(tree, REDIS, "sentinel:")),
    ])
