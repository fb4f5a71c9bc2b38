"""redis-app-connection: the API's Redis settings name the rendered Redis objects (DOMAIN X10, X11)."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import redis_app_connection
from kit import assert_findings, find_env, line_with, mutate

API = "manifests/example-api/deployment.yaml"


def _api_env(docs: list[Any], name: str) -> dict[str, Any]:
    return find_env(docs[0]["spec"]["template"]["spec"]["containers"][0], name)


REDIS = "manifests/data/redis.yaml"


def _sentinel(docs: list[Any]) -> dict[str, Any]:
    return docs[1]  # type: ignore[no-any-return]


def test_app_sentinel_master_must_equal_the_master_group_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_MASTER")
                  .update(value="myMaster"))
    assert_findings(redis_app_connection, tree, [(API, line_with(tree, API, "value: myMaster"))])


def test_app_sentinel_nodes_must_be_the_sentinel_service(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value="example-redis.example-prd.svc:26379"))
    line = line_with(tree, API, "value: example-redis.example-prd.svc")
    found = assert_findings(redis_app_connection, tree, [(API, line)])
    assert found[0].hint == "rendered sentinels: example-redis-sentinel"


def test_app_sentinel_nodes_port_must_be_26379(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value="example-redis-sentinel-headless.example-prd.svc.cluster.local:6379"))
    assert_findings(redis_app_connection, tree, [
        (API, line_with(tree, API, "value: example-redis-sentinel-headless"))])


def test_app_sentinel_password_needs_a_protected_sentinel(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS, lambda d: _sentinel(d)["spec"]["kubernetesConfig"].pop("redisSecret"))
    assert_findings(redis_app_connection, tree, [
        (API, line_with(tree, API, "name: SPRING_DATA_REDIS_SENTINEL_PASSWORD"))])


def test_app_needs_the_sentinel_password_of_a_protected_sentinel(rendered: dict[str, RenderedTree]) -> None:
    def drop(docs: list[Any]) -> None:
        env = docs[0]["spec"]["template"]["spec"]["containers"][0]["env"]
        env[:] = [e for e in env if e["name"] != "SPRING_DATA_REDIS_SENTINEL_PASSWORD"]

    tree = mutate(rendered["prd"], API, drop)
    found = assert_findings(redis_app_connection, tree, [(API, line_with(tree, API, "    spec:"))])
    assert found[0].hint == ("add SPRING_DATA_REDIS_SENTINEL_PASSWORD from secretKeyRef "
                             "example-redis-auth/sentinel-password")


def test_app_lists_every_sentinel_pod(rendered: dict[str, RenderedTree]) -> None:
    nodes = _api_env([rendered["prd"].files[API].documents[0].data], "SPRING_DATA_REDIS_SENTINEL_NODES")["value"]
    assert nodes.split(",") == [
        f"example-redis-sentinel-{i}.example-redis-sentinel-headless.example-prd.svc:26379" for i in range(3)]
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value=",".join(nodes.split(",")[:2])))
    found = assert_findings(redis_app_connection, tree, [
        (API, line_with(tree, API, "value: example-redis-sentinel-0"))])
    assert "[2]" in found[0].message


def test_app_sentinel_pod_beyond_the_cluster_size_is_no_sentinel(rendered: dict[str, RenderedTree]) -> None:
    nodes = "example-redis-sentinel-{}.example-redis-sentinel-headless.example-prd.svc:26379"
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value=",".join(nodes.format(i) for i in range(4))))
    found = assert_findings(redis_app_connection, tree, [
        (API, line_with(tree, API, "value: example-redis-sentinel-0"))])
    assert "sentinel-3." in found[0].message


def test_app_sentinel_service_is_only_a_warning(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_SENTINEL_NODES")
                  .update(value="example-redis-sentinel.example-prd.svc:26379"))
    found = assert_findings(redis_app_connection, tree, [
        (API, line_with(tree, API, "value: example-redis-sentinel."))])
    assert found[0].severity == Severity.WARNING
    assert "load-balanced" in found[0].message


def test_app_standalone_host_and_port_must_match_the_redis(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_PORT").update(value="6380"))
    assert_findings(redis_app_connection, tree, [(API, line_with(tree, API, '"6380"'))])
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_HOST").update(value="redis"))
    assert_findings(redis_app_connection, tree, [(API, line_with(tree, API, "value: redis"))])


def test_app_redis_password_must_be_the_redis_secret(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATA_REDIS_PASSWORD")["valueFrom"]
                  ["secretKeyRef"].update(name="example-api-secrets"))
    assert_findings(redis_app_connection, tree, [
        (API, line_with(tree, API, "name: SPRING_DATA_REDIS_PASSWORD"))])


def test_missing_app_redis_password_is_flagged_at_the_pod_spec(rendered: dict[str, RenderedTree]) -> None:
    def drop(docs: list[Any]) -> None:
        container = docs[0]["spec"]["template"]["spec"]["containers"][0]
        container["env"] = [e for e in container["env"] if e["name"] != "SPRING_DATA_REDIS_PASSWORD"]

    tree = mutate(rendered["prd"], API, drop)
    found = assert_findings(redis_app_connection, tree, [(API, line_with(tree, API, "    spec:"))])
    assert "SPRING_DATA_REDIS_PASSWORD is missing" in found[0].message
