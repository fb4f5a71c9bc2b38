"""The decisions `gitopsgen.context` takes for the templates, each unit-tested on its own and on
the example specs: templates only lay them out."""

from __future__ import annotations

import pytest

from gitopsgen.context import derive, resources, sentinel_pdb_min_available
from gitopsgen.spec import load
from gitopsgen.spec.models import Resources
from kit import REPO_ROOT


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
    names = derive(load(REPO_ROOT, "dev").model)
    assert (names.postgres.enable_pdb, names.postgres.update_method, names.postgres.anti_affinity) == (
        False, "restart", None)


def test_replicated_postgres_switches_over_keeps_its_pdb_and_spreads_as_the_spec_says() -> None:
    names = derive(load(REPO_ROOT, "prd").model)
    assert (names.postgres.enable_pdb, names.postgres.update_method, names.postgres.anti_affinity) == (
        True, "switchover", "required")


def test_components_follow_the_edge() -> None:
    dev, prd = (derive(load(REPO_ROOT, env).model).components for env in ("dev", "prd"))
    assert (dev.cloudflared, dev.external_dns, dev.tailscale_operator) == (False, False, True)
    assert (prd.cloudflared, prd.external_dns, prd.tailscale_operator) == (True, True, False)


def test_external_secrets_outside_the_app_namespace_get_their_namespace_created() -> None:
    assert derive(load(REPO_ROOT, "dev").model).secrets.extra_namespaces == ("tailscale",)
    assert derive(load(REPO_ROOT, "prd").model).secrets.extra_namespaces == ("cloudflared", "external-dns")


def test_sentinel_mode_derives_pdb_and_standalone_does_not() -> None:
    assert derive(load(REPO_ROOT, "prd").model).redis.sentinel_pdb_min_available == 2
    assert derive(load(REPO_ROOT, "dev").model).redis.sentinel_pdb_min_available is None
