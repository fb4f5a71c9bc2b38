"""redis-master-service: no Service collides with the operator's; a master-only one selects the master (DOMAIN X12)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_master_service
from kit import assert_findings, findings, line_with, with_file


def _service(name: str, selector: dict[str, str], port: int = 6379) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "example-prd"},
            "spec": {"selector": selector, "ports": [{"name": "redis", "port": port}]}}


def test_a_service_named_like_the_operators_master_service_collides(rendered: dict[str, RenderedTree]) -> None:
    master = {"app": "example-redis", "redis_setup_type": "replication", "role": "replication", "redis-role": "master"}
    tree = with_file(rendered["prd"], "manifests/data/master.yaml", [_service("example-redis-master", master)])
    found = assert_findings(redis_master_service, tree, [("manifests/data/master.yaml", 4)])
    assert "owned by the operator (RedisReplication example-redis)" in found[0].message


def test_a_custom_master_service_must_select_exactly_the_master(rendered: dict[str, RenderedTree]) -> None:
    path = "manifests/data/master.yaml"
    loose = with_file(rendered["prd"], path, [_service("example-redis-rw", {"app": "example-redis",
                                                                             "redis-role": "master"}, 6380)])
    assert_findings(redis_master_service, loose, [
        (path, line_with(loose, path, "selector:")),
        (path, line_with(loose, path, "ports:"))])
    exact = {"app": "example-redis", "redis_setup_type": "replication", "role": "replication", "redis-role": "master"}
    assert findings(redis_master_service, with_file(rendered["prd"], path, [_service("example-redis-rw", exact)])) == []
