"""redis-operator-labels: Redis CRs carry none of the labels the operator's Services select on (DOMAIN X13)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_operator_labels
from kit import assert_findings, line_with, mutate

REDIS = "manifests/data/redis.yaml"


def _sentinel(docs: list[Any]) -> dict[str, Any]:
    return docs[1]  # type: ignore[no-any-return]


def test_operator_labels_on_a_redis_cr_are_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["metadata"]["labels"].update(role="cache"))
    assert_findings(redis_operator_labels, tree, [(REDIS, line_with(tree, REDIS, "role:"))])
