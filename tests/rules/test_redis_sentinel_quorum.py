"""redis-sentinel-quorum: the sentinel quorum is a quoted number the sentinels can reach (DOMAIN X8)."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_sentinel_quorum
from kit import assert_findings, findings, line_with, mutate

REDIS = "manifests/data/redis.yaml"


def _sentinel(docs: list[Any]) -> dict[str, Any]:
    return docs[1]  # type: ignore[no-any-return]


def test_sentinel_quorum_rule_points_at_an_unquoted_quorum(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"].update(quorum=2))
    found = assert_findings(redis_sentinel_quorum, tree, [(REDIS, line_with(tree, REDIS, "quorum: 2"))])
    assert found[0].hint == 'write quorum: "2"'


def test_sentinel_quorum_rule_rejects_a_quorum_above_the_sentinel_count(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"].update(quorum="4"))
    found = findings(redis_sentinel_quorum, tree)
    assert [(p.line, p.severity) for p in found] == [(line_with(tree, REDIS, 'quorum: "4"'), Severity.ERROR)]


def test_sentinel_quorum_rule_warns_on_minority_quorum_and_even_size(rendered: dict[str, RenderedTree]) -> None:
    def change(docs: list[Any]) -> None:
        _sentinel(docs)["spec"]["clusterSize"] = 4
        _sentinel(docs)["spec"]["redisSentinelConfig"]["quorum"] = "1"

    tree = mutate(rendered["prd"], REDIS, change)
    found = findings(redis_sentinel_quorum, tree)
    assert [(p.line, p.severity) for p in found] == [
        (line_with(tree, REDIS, "clusterSize: 4"), Severity.WARNING),
        (line_with(tree, REDIS, 'quorum: "1"'), Severity.WARNING),
    ]
