"""redis-secret-wiring: the Redis password Secret is wired into every Redis CR that needs it (DOMAIN X3, X4)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_secret_wiring
from kit import assert_findings, findings, line_with, mutate, places

REDIS = "manifests/data/redis.yaml"


def _replication(docs: list[Any]) -> dict[str, Any]:
    return docs[0]  # type: ignore[no-any-return]


def _sentinel(docs: list[Any]) -> dict[str, Any]:
    return docs[1]  # type: ignore[no-any-return]


def test_redis_secret_must_be_an_external_secret_target(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS, lambda d: d[0]["spec"]["kubernetesConfig"]["redisSecret"]
                  .update(name="redis-password"))
    assert_findings(redis_secret_wiring, tree, [(REDIS,
                                                         line_with(tree, REDIS, "name: redis-password"))])


def test_redis_secret_key_must_be_produced_by_the_external_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _replication(d)["spec"]["kubernetesConfig"]["redisSecret"]
                  .update(key="redis-password"))
    found = findings(redis_secret_wiring, tree)
    # the replication's key is wrong, and the sentinels' password no longer equals it
    assert places(found) == [(REDIS, line_with(tree, REDIS, "key: redis-password")),
                            (REDIS, line_with(tree, REDIS, "secretKeyRef:"))]


def test_sentinel_without_replication_password_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"]
                  .pop("redisReplicationPassword"))
    assert_findings(redis_secret_wiring, tree, [(REDIS, line_with(tree, REDIS, "redisSentinelConfig:"))])
