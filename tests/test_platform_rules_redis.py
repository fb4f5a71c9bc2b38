"""Redis rules (DOMAIN X3, X4, X7-X14): silent on the real trees (see test_platform_rules_eso),
firing at the right file:line on a mutated copy."""

from __future__ import annotations

from typing import Any

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Severity
from gitopsgen.validate.rules import (
    images_pinned,
    redis_app_connection,
    redis_master_service,
    redis_operator_labels,
    redis_secret_wiring,
    redis_sentinel_quorum,
    redis_sentinel_refs,
)
from platform_support import errors, find_env, line_with, mutate, where, with_file

REDIS = "manifests/data/redis.yaml"
API = "manifests/example-api/deployment.yaml"


def _replication(docs: list[Any]) -> dict[str, Any]:
    return docs[0]  # type: ignore[no-any-return]


def _sentinel(docs: list[Any]) -> dict[str, Any]:
    return docs[1]  # type: ignore[no-any-return]


def _api_env(docs: list[Any], name: str) -> dict[str, Any]:
    return find_env(docs[0]["spec"]["template"]["spec"]["containers"][0], name)


def test_redis_secret_must_be_an_external_secret_target(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS, lambda d: d[0]["spec"]["kubernetesConfig"]["redisSecret"]
                  .update(name="redis-password"))
    assert where(errors(redis_secret_wiring, tree)) == [(f"rendered/dev/{REDIS}",
                                                         line_with(tree, REDIS, "name: redis-password"))]


def test_redis_secret_key_must_be_produced_by_the_external_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _replication(d)["spec"]["kubernetesConfig"]["redisSecret"]
                  .update(key="redis-password"))
    found = errors(redis_secret_wiring, tree)
    # the replication's key is wrong, and the sentinels' password no longer equals it
    assert where(found) == [(f"rendered/prd/{REDIS}", line_with(tree, REDIS, "key: redis-password")),
                            (f"rendered/prd/{REDIS}", line_with(tree, REDIS, "secretKeyRef:"))]


def test_sentinel_without_replication_password_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"]
                  .pop("redisReplicationPassword"))
    found = errors(redis_secret_wiring, tree)
    assert where(found) == [(f"rendered/prd/{REDIS}", line_with(tree, REDIS, "redisSentinelConfig:"))]


def test_sentinel_must_name_a_replication_in_its_namespace(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"]
                  .update(redisReplicationName="cache"))
    found = errors(redis_sentinel_refs, tree)
    assert where(found) == [(f"rendered/prd/{REDIS}", line_with(tree, REDIS, "redisReplicationName: cache"))]
    assert found[0].hint == "replications there: example-redis"


def test_watched_replication_needs_a_replica_and_no_embedded_sentinel(rendered: dict[str, RenderedTree]) -> None:
    def change(docs: list[Any]) -> None:
        _replication(docs)["spec"]["clusterSize"] = 1
        _replication(docs)["spec"]["sentinel"] = {"size": 3}

    tree = mutate(rendered["prd"], REDIS, change)
    assert where(errors(redis_sentinel_refs, tree)) == [
        (f"rendered/prd/{REDIS}", line_with(tree, REDIS, "clusterSize: 1")),
        (f"rendered/prd/{REDIS}", line_with(tree, REDIS, "sentinel:")),
    ]


def test_sentinel_quorum_rule_points_at_an_unquoted_quorum(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"].update(quorum=2))
    found = errors(redis_sentinel_quorum, tree)
    assert where(found) == [(f"rendered/prd/{REDIS}", line_with(tree, REDIS, "quorum: 2"))]
    assert found[0].hint == 'write quorum: "2"'


def test_sentinel_quorum_rule_rejects_a_quorum_above_the_sentinel_count(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["redisSentinelConfig"].update(quorum="4"))
    found = errors(redis_sentinel_quorum, tree)
    assert [(p.line, p.severity) for p in found] == [(line_with(tree, REDIS, 'quorum: "4"'), Severity.ERROR)]


def test_sentinel_quorum_rule_warns_on_minority_quorum_and_even_size(rendered: dict[str, RenderedTree]) -> None:
    def change(docs: list[Any]) -> None:
        _sentinel(docs)["spec"]["clusterSize"] = 4
        _sentinel(docs)["spec"]["redisSentinelConfig"]["quorum"] = "1"

    tree = mutate(rendered["prd"], REDIS, change)
    found = errors(redis_sentinel_quorum, tree)
    assert [(p.line, p.severity) for p in found] == [
        (line_with(tree, REDIS, "clusterSize: 4"), Severity.WARNING),
        (line_with(tree, REDIS, 'quorum: "1"'), Severity.WARNING),
    ]


def test_app_sentinel_master_must_equal_the_master_group_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_MASTER")
                  .update(value="myMaster"))
    found = errors(redis_app_connection, tree)
    assert where(found) == [(f"rendered/prd/{API}", line_with(tree, API, "value: myMaster"))]


def test_app_sentinel_nodes_must_be_the_sentinel_service(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value="example-redis.example-prd.svc:26379"))
    found = errors(redis_app_connection, tree)
    assert where(found) == [(f"rendered/prd/{API}", line_with(tree, API, "value: example-redis.example-prd.svc"))]
    assert found[0].hint == "rendered sentinels: example-redis-sentinel"


def test_app_sentinel_nodes_port_must_be_26379(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value="example-redis-sentinel-headless.example-prd.svc.cluster.local:6379"))
    assert where(errors(redis_app_connection, tree)) == [
        (f"rendered/prd/{API}", line_with(tree, API, "value: example-redis-sentinel-headless"))]


def test_app_sentinel_password_needs_a_protected_sentinel(rendered: dict[str, RenderedTree]) -> None:
    def add(docs: list[Any]) -> None:
        env = docs[0]["spec"]["template"]["spec"]["containers"][0]["env"]
        env.append({"name": "SPRING_DATA_REDIS_SENTINEL_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": "example-redis-auth", "key": "password"}}})

    tree = mutate(rendered["prd"], API, add)
    assert where(errors(redis_app_connection, tree)) == [
        (f"rendered/prd/{API}", line_with(tree, API, "name: SPRING_DATA_REDIS_SENTINEL_PASSWORD"))]
    protected = mutate(tree, REDIS, lambda d: _sentinel(d)["spec"]["kubernetesConfig"].update(
        redisSecret={"name": "example-redis-auth", "key": "password"}))
    assert errors(redis_app_connection, protected) == []


def test_app_standalone_host_and_port_must_match_the_redis(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_PORT").update(value="6380"))
    assert where(errors(redis_app_connection, tree)) == [(f"rendered/dev/{API}", line_with(tree, API, '"6380"'))]
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_HOST").update(value="redis"))
    assert where(errors(redis_app_connection, tree)) == [(f"rendered/dev/{API}", line_with(tree, API, "value: redis"))]


def test_app_redis_password_must_be_the_redis_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_PASSWORD")["valueFrom"]
                  ["secretKeyRef"].update(name="example-api-secrets"))
    assert where(errors(redis_app_connection, tree)) == [
        (f"rendered/dev/{API}", line_with(tree, API, "name: SPRING_DATA_REDIS_PASSWORD"))]


def test_missing_app_redis_password_is_flagged_at_the_pod_spec(rendered: dict[str, RenderedTree]) -> None:
    def drop(docs: list[Any]) -> None:
        container = docs[0]["spec"]["template"]["spec"]["containers"][0]
        container["env"] = [e for e in container["env"] if e["name"] != "SPRING_DATA_REDIS_PASSWORD"]

    tree = mutate(rendered["prd"], API, drop)
    found = errors(redis_app_connection, tree)
    assert where(found) == [(f"rendered/prd/{API}", line_with(tree, API, "    spec:"))]
    assert "SPRING_DATA_REDIS_PASSWORD is missing" in found[0].message


def _service(name: str, selector: dict[str, str], port: int = 6379) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "example-prd"},
            "spec": {"selector": selector, "ports": [{"name": "redis", "port": port}]}}


def test_a_service_named_like_the_operators_master_service_collides(rendered: dict[str, RenderedTree]) -> None:
    master = {"app": "example-redis", "redis_setup_type": "replication", "role": "replication", "redis-role": "master"}
    tree = with_file(rendered["prd"], "manifests/data/master.yaml", [_service("example-redis-master", master)])
    found = errors(redis_master_service, tree)
    assert where(found) == [("rendered/prd/manifests/data/master.yaml", 4)]
    assert "owned by the operator (RedisReplication example-redis)" in found[0].message


def test_a_custom_master_service_must_select_exactly_the_master(rendered: dict[str, RenderedTree]) -> None:
    path = "manifests/data/master.yaml"
    loose = with_file(rendered["prd"], path, [_service("example-redis-rw", {"app": "example-redis",
                                                                             "redis-role": "master"}, 6380)])
    assert where(errors(redis_master_service, loose)) == [
        (f"rendered/prd/{path}", line_with(loose, path, "selector:")),
        (f"rendered/prd/{path}", line_with(loose, path, "ports:"))]
    exact = {"app": "example-redis", "redis_setup_type": "replication", "role": "replication", "redis-role": "master"}
    assert errors(redis_master_service, with_file(rendered["prd"], path, [_service("example-redis-rw", exact)])) == []


def test_operator_labels_on_a_redis_cr_are_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["metadata"]["labels"].update(role="cache"))
    assert where(errors(redis_operator_labels, tree)) == [(f"rendered/prd/{REDIS}", line_with(tree, REDIS, "role:"))]


def test_unpinned_redis_and_app_images_are_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS, lambda d: d[0]["spec"]["kubernetesConfig"]
                  .update(image="localhost:5000/opstree/redis"))
    tree = mutate(tree, API, lambda d: d[0]["spec"]["template"]["spec"]["containers"][0]
                  .update(image="ghcr.io/example-org/example-api:latest"))
    assert where(errors(images_pinned, tree)) == [
        (f"rendered/dev/{API}", line_with(tree, API, "image: ghcr.io/example-org/example-api:latest")),
        (f"rendered/dev/{REDIS}", line_with(tree, REDIS, "image: localhost:5000/opstree/redis")),
    ]


def test_a_redis_exporter_needs_its_own_pinned_image(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _replication(d)["spec"].update(redisExporter={"enabled": True}))
    assert where(errors(images_pinned, tree)) == [(f"rendered/prd/{REDIS}", line_with(tree, REDIS, "redisExporter:"))]
    digest = "quay.io/opstree/redis-exporter@sha256:" + "a" * 64
    pinned = mutate(tree, REDIS, lambda d: _replication(d)["spec"]["redisExporter"].update(image=digest))
    assert errors(images_pinned, pinned) == []
