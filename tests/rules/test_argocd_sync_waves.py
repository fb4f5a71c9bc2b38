"""argocd-sync-waves: child Applications sync in dependency order (DOMAIN X32)."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_sync_waves
from kit import WAVE, assert_findings, findings, line_with, mutate, places, set_wave, with_file


def _wave_line(tree: RenderedTree, path: str) -> int:
    return line_with(tree, path, WAVE)


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {}}


def test_sync_wave_rule_flags_a_secret_store_in_the_operators_wave(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], "apps/secret-store.yaml", set_wave("-3"), doc=0)
    problems = findings(argocd_sync_waves, tree)
    assert set(places(problems)) == {
        ("apps/secret-store.yaml", _wave_line(tree, "apps/secret-store.yaml"))
    }
    # one finding per operator Application it must follow
    named = {p.message.partition("of Application ")[2].partition(",")[0] for p in problems}
    assert named == {f"dev-{n}" for n in ("cloudnative-pg", "redis-operator", "external-secrets", "reloader",
                                          "nginx-gateway-fabric")}
    assert all("operators" in p.message for p in problems)


def test_sync_wave_rule_flags_every_layer_after_a_late_data_wave(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["prd"], "manifests/cloudflared/deployment.yaml", [DEPLOYMENT])
    tree = mutate(tree, "apps/data.yaml", set_wave("5"), doc=0)
    problems = findings(argocd_sync_waves, tree)
    # the app and cloudflared (both workloads) need the data layer first
    assert set(places(problems)) == {
        ("apps/example-api.yaml", _wave_line(tree, "apps/example-api.yaml")),
        ("apps/cloudflared.yaml", _wave_line(tree, "apps/cloudflared.yaml")),
    }


def test_sync_wave_rule_deduces_stages_from_the_kinds_an_application_deploys(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["prd"], "manifests/secret-store/extra.yaml", [DEPLOYMENT])
    problems = findings(argocd_sync_waves, tree)
    assert set(places(problems)) == {
        ("apps/secret-store.yaml", _wave_line(tree, "apps/secret-store.yaml"))
    }
    # a workload needs the ExternalSecrets (wave -1) and the data layer (wave 0) first
    assert any("ExternalSecrets" in p.message and "Application prd-secrets" in p.message for p in problems)
    assert any("data-layer custom resources" in p.message and "Application prd-data" in p.message for p in problems)


def test_sync_wave_rule_keeps_secret_reading_charts_after_the_external_secrets(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = mutate(rendered["prd"], "apps/external-dns.yaml", set_wave("-1"), doc=0)
    problems = findings(argocd_sync_waves, tree)
    assert set(places(problems)) == {
        ("apps/external-dns.yaml", _wave_line(tree, "apps/external-dns.yaml"))
    }
    assert "secrets" in problems[0].message


def test_sync_wave_rule_refuses_a_non_integer_wave(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], "apps/data.yaml", set_wave("early"), doc=0)
    assert_findings(argocd_sync_waves, tree, [("apps/data.yaml", _wave_line(tree, "apps/data.yaml"))])


def test_sync_wave_rule_puts_the_namespaces_before_everything(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], "apps/namespaces.yaml", set_wave("-3"), doc=0)
    problems = findings(argocd_sync_waves, tree)
    # every operator in wave -3 (cert-manager is in -4, before them) now shares the namespaces' wave
    assert {p for p, _ in places(problems)} == {
        f"apps/{name}.yaml" for name in ("cert-manager", "cloudnative-pg", "redis-operator", "external-secrets",
                                         "reloader", "nginx-gateway-fabric", "plugin-barman-cloud")}
    assert all("namespaces of Application prd-namespaces" in p.message for p in problems)


def test_sync_wave_rule_installs_cert_manager_before_the_barman_cloud_plugin(
        rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], "apps/cert-manager.yaml", set_wave("-3"), doc=0)
    problems = assert_findings(argocd_sync_waves, tree, [
        ("apps/plugin-barman-cloud.yaml", _wave_line(tree, "apps/plugin-barman-cloud.yaml"))])
    assert "cert-manager of Application prd-cert-manager" in problems[0].message
    assert findings(argocd_sync_waves, rendered["prd"]) == []
