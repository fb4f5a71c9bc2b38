"""The Argo CD rules (DOMAIN X28-X33): each fires at the right file and line on a mutated copy of a
real rendered tree, and stays silent on the real trees."""

from __future__ import annotations

from typing import Any

import pytest

from delivery_helpers import WAVE, apps, at, copy_tree, edit, put, text_line
from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem, Severity
from gitopsgen.validate import rules
from gitopsgen.validate.rules import (
    argocd_crd_dry_run,
    argocd_destination,
    argocd_load_balancer_wave,
    argocd_reloader,
    argocd_server_side_apply,
    argocd_sync_waves,
    argocd_value_files,
)

ARGOCD_RULES = [
    argocd_crd_dry_run,
    argocd_destination,
    argocd_load_balancer_wave,
    argocd_reloader,
    argocd_server_side_apply,
    argocd_sync_waves,
    argocd_value_files,
]


def _run(module: Any, tree: RenderedTree) -> list[Problem]:
    return list(module.check(tree))


def _set_wave(wave: str) -> Any:
    def change(app: Any) -> None:
        app["metadata"]["annotations"][WAVE] = wave

    return change


def _wave_line(tree: RenderedTree, path: str) -> int:
    return text_line(tree, path, WAVE)


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_all_rules_are_silent_on_the_real_trees(rendered: dict[str, RenderedTree], env: str) -> None:
    assert [p.format() for p in rules.run(rendered[env])] == []


def test_argocd_rules_are_registered_with_unique_ids_and_documented() -> None:
    registered = {m.ID for m in rules.all_rules()}
    for module in ARGOCD_RULES:
        assert module.ID in registered
        assert module.__doc__ and module.__doc__.startswith(f"{module.ID}:")
    assert len({m.ID for m in ARGOCD_RULES}) == len(ARGOCD_RULES)


# --- X28 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", ["cloudnative-pg", "external-secrets", "redis-operator"])
def test_server_side_apply_rule_points_at_sync_options_of_the_operator(
    rendered: dict[str, RenderedTree], chart: str
) -> None:
    path = f"apps/{chart}.yaml"
    tree = edit(rendered["prd"], path, lambda a: a["spec"]["syncPolicy"]["syncOptions"].remove("ServerSideApply=true"))
    problems = _run(argocd_server_side_apply, tree)
    assert at(problems, argocd_server_side_apply.ID) == [
        (f"rendered/prd/{path}", text_line(tree, path, "syncOptions:"))
    ]
    assert chart in problems[0].message


def test_server_side_apply_is_not_demanded_of_small_charts(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "apps/reloader.yaml", lambda a: a["spec"]["syncPolicy"].pop("syncOptions"))
    assert _run(argocd_server_side_apply, tree) == []


# --- X29 -------------------------------------------------------------------------------------------

CLUSTER = {
    "apiVersion": "postgresql.cnpg.io/v1",
    "kind": "Cluster",
    "metadata": {"name": "example-db", "namespace": "example-prd"},
    "spec": {"instances": 3, "storage": {"size": "20Gi"}},
}


def _with_cluster(tree: RenderedTree) -> RenderedTree:
    out = copy_tree(tree)
    put(out, "manifests/data/postgres.yaml", [CLUSTER])
    return out


def _no_skip(app: Any) -> None:
    app["spec"]["syncPolicy"]["syncOptions"].remove("SkipDryRunOnMissingResource=true")


def test_crd_dry_run_rule_fires_when_crs_share_the_operators_wave_without_skip(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = edit(_with_cluster(rendered["prd"]), "apps/data.yaml", lambda a: (_no_skip(a), _set_wave("-3")(a)))
    problems = _run(argocd_crd_dry_run, tree)
    assert set(at(problems, argocd_crd_dry_run.ID)) == {
        ("rendered/prd/apps/data.yaml", _wave_line(tree, "apps/data.yaml"))
    }
    assert any("postgresql.cnpg.io" in p.message and "cloudnative-pg" in p.message for p in problems)


def test_crd_dry_run_rule_accepts_a_later_wave_or_the_sync_option(rendered: dict[str, RenderedTree]) -> None:
    later_wave = edit(_with_cluster(rendered["prd"]), "apps/data.yaml", _no_skip)
    assert _run(argocd_crd_dry_run, later_wave) == []
    same_wave_skipping = edit(_with_cluster(rendered["prd"]), "apps/data.yaml", _set_wave("-3"))
    assert _run(argocd_crd_dry_run, same_wave_skipping) == []


def test_crd_dry_run_rule_warns_when_no_application_installs_the_crds(rendered: dict[str, RenderedTree]) -> None:
    tree = _with_cluster(rendered["prd"])
    del tree.files["apps/cloudnative-pg.yaml"]
    problems = _run(argocd_crd_dry_run, tree)
    assert [(p.file, p.line, p.severity) for p in problems] == [
        ("rendered/prd/apps/data.yaml", text_line(tree, "apps/data.yaml", "spec:"), Severity.WARNING)
    ]


# --- X30 -------------------------------------------------------------------------------------------


def test_destination_rule_refuses_both_server_and_name(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "apps/data.yaml", lambda a: a["spec"]["destination"].update(name="in-cluster"))
    problems = _run(argocd_destination, tree)
    assert at(problems, argocd_destination.ID) == [
        ("rendered/dev/apps/data.yaml", text_line(tree, "apps/data.yaml", "destination:"))
    ]
    assert "server and name" in problems[0].message


def test_destination_rule_wants_a_namespace_and_a_project(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(
        rendered["dev"],
        "apps/secrets.yaml",
        lambda a: (a["spec"]["destination"].pop("namespace"), a["spec"].pop("project")),
    )
    problems = _run(argocd_destination, tree)
    assert at(problems, argocd_destination.ID) == sorted(
        [
            ("rendered/dev/apps/secrets.yaml", text_line(tree, "apps/secrets.yaml", "destination:")),
            ("rendered/dev/apps/secrets.yaml", text_line(tree, "apps/secrets.yaml", "spec:")),
        ]
    )


def test_destination_rule_wants_the_finalizer_on_children_only(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["prd"], "apps/cloudflared.yaml", lambda a: a["metadata"].pop("finalizers"))
    problems = _run(argocd_destination, tree)
    assert at(problems, argocd_destination.ID) == [
        ("rendered/prd/apps/cloudflared.yaml", text_line(tree, "apps/cloudflared.yaml", "metadata:"))
    ]
    assert "finalizer" in problems[0].message
    # the root has none on purpose and is not a child of anything in the tree
    assert "finalizers" not in apps(rendered["prd"])["root"].data["metadata"]


def test_destination_rule_keeps_children_in_the_namespace_of_their_parent(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["prd"], "apps/reloader.yaml", lambda a: a["metadata"].update(namespace="argocd-apps"))
    problems = _run(argocd_destination, tree)
    assert at(problems, argocd_destination.ID) == [
        ("rendered/prd/apps/reloader.yaml", text_line(tree, "apps/reloader.yaml", "namespace: argocd-apps"))
    ]


# --- X31 -------------------------------------------------------------------------------------------


def _value_file(raw: str) -> Any:
    def change(app: Any) -> None:
        app["spec"]["sources"][0]["helm"]["valueFiles"] = [raw]

    return change


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("$values/rendered/dev/values/missing.yaml", "produces no values/missing.yaml"),
        ("$values/rendered/prd/values/reloader.yaml", "outside rendered/dev/"),
        ("$config/rendered/dev/values/reloader.yaml", "no sibling source has ref: config"),
        ("values/$values/rendered/dev/values/reloader.yaml", "other than as the leading"),
        ("$values", "names no file"),
    ],
)
def test_value_files_rule_points_at_the_bad_value_file(rendered: dict[str, RenderedTree], raw: str, words: str) -> None:
    tree = edit(rendered["dev"], "apps/reloader.yaml", _value_file(raw))
    problems = _run(argocd_value_files, tree)
    line = text_line(tree, "apps/reloader.yaml", f"- {raw}")
    assert at(problems, argocd_value_files.ID) == [("rendered/dev/apps/reloader.yaml", line)]
    assert words in problems[0].message


def test_value_files_rule_refuses_a_ref_source_with_a_chart(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "apps/reloader.yaml", lambda a: a["spec"]["sources"][1].update(chart="reloader"))
    problems = _run(argocd_value_files, tree)
    assert at(problems, argocd_value_files.ID) == [
        ("rendered/dev/apps/reloader.yaml", text_line(tree, "apps/reloader.yaml", "ref: values"))
    ]


def test_value_files_rule_needs_multi_source_for_a_ref(rendered: dict[str, RenderedTree]) -> None:
    def single(app: Any) -> None:
        app["spec"]["source"] = app["spec"].pop("sources")[0]

    tree = edit(rendered["dev"], "apps/reloader.yaml", single)
    problems = _run(argocd_value_files, tree)
    assert at(problems, argocd_value_files.ID) == [
        ("rendered/dev/apps/reloader.yaml", text_line(tree, "apps/reloader.yaml", "$values/"))
    ]


def test_value_files_rule_warns_about_keys_shadowed_by_values_object(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(
        rendered["dev"],
        "apps/reloader.yaml",
        lambda a: a["spec"]["sources"][0]["helm"].update(
            valuesObject={"reloader": {"reloadStrategy": "env-vars"}, "other": 1}
        ),
    )
    problems = _run(argocd_value_files, tree)
    assert [(p.file, p.line, p.severity) for p in problems] == [
        (
            "rendered/dev/apps/reloader.yaml",
            text_line(tree, "apps/reloader.yaml", "reloadStrategy: env-vars"),
            Severity.WARNING,
        )
    ]


# --- X32 -------------------------------------------------------------------------------------------


def test_sync_wave_rule_flags_a_secret_store_in_the_operators_wave(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "apps/secret-store.yaml", _set_wave("-3"))
    problems = _run(argocd_sync_waves, tree)
    assert set(at(problems, argocd_sync_waves.ID)) == {
        ("rendered/dev/apps/secret-store.yaml", _wave_line(tree, "apps/secret-store.yaml"))
    }
    # one finding per operator Application it must follow
    named = {p.message.partition("of Application ")[2].partition(",")[0] for p in problems}
    assert named == {"cloudnative-pg", "redis-operator", "external-secrets", "reloader", "ingress-nginx"}
    assert all("operators" in p.message for p in problems)


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {}}


def test_sync_wave_rule_flags_every_layer_after_a_late_data_wave(rendered: dict[str, RenderedTree]) -> None:
    tree = copy_tree(rendered["prd"])
    put(tree, "manifests/cloudflared/deployment.yaml", [DEPLOYMENT])
    tree = edit(tree, "apps/data.yaml", _set_wave("5"))
    problems = _run(argocd_sync_waves, tree)
    # the app and cloudflared (both workloads) need the data layer first
    assert set(at(problems, argocd_sync_waves.ID)) == {
        ("rendered/prd/apps/example-api.yaml", _wave_line(tree, "apps/example-api.yaml")),
        ("rendered/prd/apps/cloudflared.yaml", _wave_line(tree, "apps/cloudflared.yaml")),
    }


def test_sync_wave_rule_deduces_stages_from_the_kinds_an_application_deploys(rendered: dict[str, RenderedTree]) -> None:
    tree = copy_tree(rendered["prd"])
    put(tree, "manifests/secret-store/extra.yaml", [DEPLOYMENT])
    problems = _run(argocd_sync_waves, tree)
    assert set(at(problems, argocd_sync_waves.ID)) == {
        ("rendered/prd/apps/secret-store.yaml", _wave_line(tree, "apps/secret-store.yaml"))
    }
    # a workload needs the ExternalSecrets (wave -1) and the data layer (wave 0) first
    assert any("ExternalSecrets" in p.message and "Application secrets" in p.message for p in problems)
    assert any("data-layer custom resources" in p.message and "Application data" in p.message for p in problems)


def test_sync_wave_rule_keeps_secret_reading_charts_after_the_external_secrets(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = edit(rendered["prd"], "apps/external-dns.yaml", _set_wave("-1"))
    problems = _run(argocd_sync_waves, tree)
    assert set(at(problems, argocd_sync_waves.ID)) == {
        ("rendered/prd/apps/external-dns.yaml", _wave_line(tree, "apps/external-dns.yaml"))
    }
    assert "secrets" in problems[0].message


def test_sync_wave_rule_refuses_a_non_integer_wave(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "apps/data.yaml", _set_wave("early"))
    problems = _run(argocd_sync_waves, tree)
    assert at(problems, argocd_sync_waves.ID) == [("rendered/dev/apps/data.yaml", _wave_line(tree, "apps/data.yaml"))]


# --- load balancer class served by a later wave ----------------------------------------------------


def _tailscale_load_balancer(values: Any) -> None:
    values["controller"]["service"] = {"type": "LoadBalancer", "loadBalancerClass": "tailscale"}


def test_load_balancer_wave_rule_flags_a_tailscale_lb_before_the_tailscale_operator(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = edit(rendered["dev"], "values/ingress-nginx.yaml", _tailscale_load_balancer)
    problems = _run(argocd_load_balancer_wave, tree)
    assert at(problems, argocd_load_balancer_wave.ID) == [
        ("rendered/dev/values/ingress-nginx.yaml", text_line(tree, "values/ingress-nginx.yaml", "loadBalancerClass"))
    ]
    moved = edit(tree, "apps/tailscale-operator.yaml", _set_wave("-3"))
    assert _run(argocd_load_balancer_wave, moved) == []


# --- X33 -------------------------------------------------------------------------------------------


def test_reloader_rule_points_at_auto_reload_all(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["prd"], "values/reloader.yaml", lambda v: v["reloader"].update(autoReloadAll=False))
    problems = _run(argocd_reloader, tree)
    assert at(problems, argocd_reloader.ID) == [
        ("rendered/prd/values/reloader.yaml", text_line(tree, "values/reloader.yaml", "autoReloadAll"))
    ]


def test_reloader_rule_wants_annotations_strategy_while_apps_self_heal(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "values/reloader.yaml", lambda v: v["reloader"].pop("reloadStrategy"))
    problems = _run(argocd_reloader, tree)
    assert at(problems, argocd_reloader.ID) == [
        ("rendered/dev/values/reloader.yaml", text_line(tree, "values/reloader.yaml", "reloader:"))
    ]
    assert "env-vars" in problems[0].message


def test_reloader_rule_allows_env_vars_when_nothing_self_heals(rendered: dict[str, RenderedTree]) -> None:
    tree = edit(rendered["dev"], "values/reloader.yaml", lambda v: v["reloader"].update(reloadStrategy="env-vars"))
    for path in [p for p in tree.files if p.startswith(("apps/", "bootstrap/"))]:
        tree = edit(tree, path, lambda a: a["spec"]["syncPolicy"]["automated"].update(selfHeal=False))
    assert _run(argocd_reloader, tree) == []
