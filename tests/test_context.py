"""The decisions `gitopsgen.context.derive` takes for the templates, each unit-tested on its own and on
the example specs: templates only lay them out."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.context.derive import (
    CHART_COMPONENTS,
    Names,
    derive,
    max_memory_bytes,
    quantity_bytes,
    resources,
    sentinel_pdb_min_available,
)
from gitopsgen.spec import load
from gitopsgen.spec.checks import retry_budget_seconds
from gitopsgen.spec.models import Resources, Retry
from kit import REPO_ROOT, replace_in


def _names(env: str) -> Names:
    return derive(load(REPO_ROOT, env).model, env)


@pytest.mark.parametrize(("sentinels", "quorum", "expected"), [
    (3, 2, 2),   # majority 2, quorum 2, one may go
    (5, 3, 3),
    (5, 2, 3),   # a majority is needed to elect the failover leader even with a low quorum
    (5, 5, 4),   # never all of them: a node drain must be able to evict one
    (1, 1, 0),
])
def test_sentinel_pdb_keeps_a_quorum_and_a_majority_but_lets_one_go(sentinels: int, quorum: int,
                                                                      expected: int) -> None:
    assert sentinel_pdb_min_available(sentinels, quorum) == expected


def test_resources_leave_out_unset_quantities_and_empty_parts() -> None:
    assert resources(Resources()) is None
    only_limit = Resources.model_validate({"limits": {"memory": "1Gi"}})
    assert resources(only_limit) == {"limits": {"memory": "1Gi"}}
    both = Resources.model_validate({"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "512Mi"}})
    assert resources(both) == {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "512Mi"}}


def test_a_single_postgres_instance_restarts_in_place_and_needs_no_pdb_nor_spread() -> None:
    names = _names("dev")
    assert (names.postgres.enable_pdb, names.postgres.update_method, names.postgres.anti_affinity) == (
        False, "restart", None)


def test_replicated_postgres_switches_over_keeps_its_pdb_and_spreads_as_the_spec_says() -> None:
    names = _names("prd")
    assert (names.postgres.enable_pdb, names.postgres.update_method, names.postgres.anti_affinity) == (
        True, "switchover", "required")


def test_components_follow_the_edge() -> None:
    dev, prd = (_names(env).components for env in ("dev", "prd"))
    assert (dev.cloudflared, dev.external_dns, dev.tailscale_operator) == (False, False, True)
    assert (prd.cloudflared, prd.external_dns, prd.tailscale_operator) == (True, True, False)


def test_backup_components_follow_the_backup_method() -> None:
    dev, prd = (_names(env) for env in ("dev", "prd"))
    assert (dev.components.cert_manager, dev.components.barman_cloud, dev.backup) == (False, False, None)
    assert (prd.components.cert_manager, prd.components.barman_cloud) == (True, True)
    assert prd.backup is not None and (prd.backup.method, prd.backup.object_store, prd.backup.plugin) == (
        "barmanCloud", "example-db-backup", "barman-cloud.cloudnative-pg.io")


def test_secret_store_and_reloader_serve_exactly_the_namespaces_secrets_are_delivered_to() -> None:
    assert _names("dev").secrets.namespaces == ("example-dev", "tailscale")
    assert _names("prd").secrets.namespaces == ("cloudflared", "example-prd", "external-dns")
    assert _names("prd").reloader_namespaces == _names("prd").secrets.namespaces


def test_application_names_carry_the_environment_and_projects_are_per_environment() -> None:
    dev, prd = (_names(env).argocd for env in ("dev", "prd"))
    assert dev.apps["data"] == "dev-data" and prd.apps["data"] == "prd-data"
    assert not set(dev.apps.values()) & set(prd.apps.values())
    assert (prd.project, prd.root_project, prd.destination) == ("prd", "prd-bootstrap", {"name": "prd"})


def test_production_spreads_strictly_runs_two_controllers_and_protects_data() -> None:
    dev, prd = _names("dev"), _names("prd")
    assert (dev.spread.when_unsatisfiable, prd.spread.when_unsatisfiable) == ("ScheduleAnyway", "DoNotSchedule")
    assert (dev.ingress.replicas, prd.ingress.replicas) == (1, 2)
    assert dev.ingress.spread is None and prd.ingress.spread is not None
    assert (dev.postgres.sync_options, prd.postgres.sync_options) == (None, "Prune=false,Delete=false")
    assert (dev.redis.sync_options, prd.redis.sync_options) == (None, "Delete=false")
    assert {ns.sync_options for ns in prd.namespaces} == {"Prune=false,Delete=false"}
    assert (dev.app.pdb, prd.app.pdb, prd.edge.pdb) == (False, True, True)


def test_pod_security_is_restricted_where_we_write_the_pods() -> None:
    levels = {ns.name: ns.pod_security for ns in _names("prd").namespaces}
    assert levels == {"example-prd": "restricted", "cloudflared": "restricted", "cert-manager": "baseline",
                      "cnpg-system": "baseline", "external-dns": "baseline", "external-secrets": "baseline",
                      "nginx-gateway": "baseline", "redis-operator": "baseline", "reloader": "baseline"}
    assert {ns.name: ns.pod_security for ns in _names("dev").namespaces}["tailscale"] == "privileged"


def test_forwarded_headers_are_trusted_only_behind_the_tunnel() -> None:
    dev, prd = _names("dev").ingress, _names("prd").ingress
    assert (dev.trusted_cidr, prd.trusted_cidr) == (None, "10.244.0.0/16")
    assert dev.forwarded_headers is None and prd.forwarded_headers is None  # ingress-nginx settings


def test_the_gateway_data_plane_is_named_as_nginx_gateway_fabric_names_it() -> None:
    from gitopsgen.facts import edge_names

    ingress = _names("prd").ingress
    assert (ingress.controller, ingress.gateway, ingress.controller_service) == (
        "nginx-gateway-fabric", "edge", "edge-nginx")
    assert ingress.controller_url == "http://edge-nginx.nginx-gateway.svc.cluster.local:80"
    # past 63 characters NGF cuts the Gateway name and inserts 8 hex digits of SHA-256 of the full name
    long = edge_names.data_plane_name("g" * 70, "nginx")
    assert len(long) == 63 and long.startswith("g" * 48 + "-") and long.endswith("-nginx")


@pytest.mark.parametrize(("quantity", "expected"), [
    ("256Mi", 256 * 2**20), ("1Gi", 2**30), ("1G", 10**9), ("1.5Gi", 3 * 2**29), ("1000", 1000),
    # every form resource.Quantity takes (a Hypothesis find: "1e3" passed the spec and crashed the render)
    ("1e3", 1000), ("1E6", 10**6), (".5Gi", 2**29), ("1.Mi", 2**20), ("+2k", 2000), ("1500m", 2), ("2e-1", 1)])
def test_memory_quantities_become_bytes(quantity: str, expected: int) -> None:
    assert quantity_bytes(quantity) == expected


def test_maxmemory_is_the_share_of_the_limit_the_operator_would_compute() -> None:
    assert max_memory_bytes("1Gi", 75) == 805306368
    assert _names("prd").redis.max_memory_bytes == 805306368
    assert _names("dev").redis.max_memory_bytes == int(256 * 2**20 * 0.75)


def test_the_default_retry_outlasts_a_slow_operator_and_the_old_one_did_not() -> None:
    assert retry_budget_seconds(Retry()) == 10 + 20 + 40 + 80 + 160 + 320 + 14 * 600
    old = Retry.model_validate({"limit": 5, "backoffMaxDuration": "5m"})
    assert retry_budget_seconds(old) == 310


def test_sentinels_are_listed_per_pod() -> None:
    nodes = _names("prd").redis.sentinel_nodes
    assert nodes is not None and nodes.split(",") == [
        f"example-redis-sentinel-{i}.example-redis-sentinel-headless.example-prd.svc:26379" for i in range(3)]
    assert _names("dev").redis.sentinel_nodes is None


def test_sentinel_mode_derives_pdb_and_standalone_does_not() -> None:
    assert _names("prd").redis.sentinel_pdb_min_available == 2
    assert _names("dev").redis.sentinel_pdb_min_available is None


def test_application_names_do_not_depend_on_the_pinned_chart_names(project: Path) -> None:
    """A chart pinned under another name (a fork, a mirror) keeps its Application's name."""
    replace_in(project / "environments" / "defaults.yaml", "chart: redis-operator", "chart: ot-redis-operator")
    names = derive(load(project, "dev").model, "dev").argocd.apps
    assert names["redis-operator"] == "dev-redis-operator"
    assert set(CHART_COMPONENTS.values()) >= {"cloudnative-pg", "redis-operator", "external-secrets", "reloader",
                                              "ingress-nginx"}
