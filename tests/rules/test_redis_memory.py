"""redis-memory: Redis pods have a memory limit, a maxmemory below it and an eviction policy."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_memory
from kit import assert_findings, line_with, mutate

REDIS = "manifests/data/redis.yaml"
CONFIG = "manifests/data/redis-config.yaml"
KEY = "redis-additional.conf"


def _set(text: str) -> Any:
    def change(config: Any) -> None:
        config["data"][KEY] = text
    return change


def test_both_trees_bound_redis_memory_and_evict(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(redis_memory, rendered[env], [])
    text = rendered["prd"].files[CONFIG].documents[0].data["data"][KEY]
    assert text == "maxmemory 805306368\nmaxmemory-policy allkeys-lru\n"  # 75% of 1Gi


def test_a_redis_without_a_memory_limit_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS, lambda d: d[0]["spec"]["kubernetesConfig"].pop("resources"))
    assert_findings(redis_memory, tree, [(REDIS, line_with(tree, REDIS, "kubernetesConfig:"))])


def test_maxmemory_must_be_set_and_below_the_limit(rendered: dict[str, RenderedTree]) -> None:
    above = mutate(rendered["prd"], CONFIG, _set("maxmemory 2gb\nmaxmemory-policy allkeys-lru\n"), doc=0)
    assert_findings(redis_memory, above, [(CONFIG, line_with(above, CONFIG, KEY))])
    missing = mutate(rendered["prd"], CONFIG, _set("maxmemory-policy allkeys-lru\n"), doc=0)
    assert_findings(redis_memory, missing, [(CONFIG, line_with(missing, CONFIG, KEY))])


def test_no_eviction_is_a_warning(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CONFIG, _set("maxmemory 100mb\nmaxmemory-policy noeviction\n"), doc=0)
    found = assert_findings(redis_memory, tree, [(CONFIG, line_with(tree, CONFIG, KEY))])
    assert found[0].severity == Severity.WARNING


def test_without_the_additional_config_maxmemory_never_reaches_redis(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: d[0]["spec"]["redisConfig"].pop("additionalRedisConfig"))
    found = assert_findings(redis_memory, tree, [(REDIS, line_with(tree, REDIS, "spec:"))])
    assert "GenerateConfigInInitContainer" in found[0].message


def test_sentinels_without_resources_get_a_warning(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: d[1]["spec"]["kubernetesConfig"].pop("resources"))
    found = assert_findings(redis_memory, tree, [(REDIS, line_with(tree, REDIS, "kubernetesConfig:", 2))])
    assert found[0].severity == Severity.WARNING
