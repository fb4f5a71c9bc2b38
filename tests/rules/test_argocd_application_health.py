"""argocd-application-health: sync waves between child Applications wait for health."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_application_health
from kit import WAVE, assert_findings, line_with, mutate, without_file

PATCH = "bootstrap/argocd-cm.yaml"
KEY = "resource.customizations.health.argoproj.io_Application"


def test_both_trees_carry_the_upstream_health_check(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(argocd_application_health, rendered[env], [])
        script = rendered[env].files[PATCH].documents[0].data["data"][KEY]
        assert "hs.status = obj.status.health.status" in script


def test_waves_without_the_health_check_are_flagged_at_the_first_child(rendered: dict[str, RenderedTree]) -> None:
    tree = without_file(rendered["prd"], PATCH)
    found = assert_findings(argocd_application_health, tree, [
        ("apps/cert-manager.yaml", line_with(tree, "apps/cert-manager.yaml", WAVE))])
    assert "would not wait" in found[0].message


def test_a_patch_without_the_application_check_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], PATCH, lambda p: p["data"].update({KEY: "return {status = 'Healthy'}"}), doc=0)
    assert_findings(argocd_application_health, tree, [(PATCH, line_with(tree, PATCH, KEY))])
    empty = mutate(rendered["dev"], PATCH, lambda p: p["data"].pop(KEY), doc=0)
    assert_findings(argocd_application_health, empty, [(PATCH, line_with(empty, PATCH, "data: {}"))])


def test_one_wave_needs_no_health_check(rendered: dict[str, RenderedTree]) -> None:
    tree = without_file(rendered["dev"], PATCH)
    for path in [p for p in tree.files if p.startswith("apps/") and p != "apps/project.yaml"]:
        tree = mutate(tree, path, lambda a: a["metadata"]["annotations"].update({WAVE: "0"}), doc=0)
    assert_findings(argocd_application_health, tree, [])


def test_the_check_is_a_partial_argocd_cm_in_the_roots_namespace(rendered: dict[str, RenderedTree]) -> None:
    doc = rendered["prd"].files[PATCH].documents[0].data
    assert (doc["apiVersion"], doc["kind"], doc["metadata"]["name"], doc["metadata"]["namespace"]) == \
        ("v1", "ConfigMap", "argocd-cm", "argocd")
    assert list(doc["data"]) == [KEY]  # one key: server-side apply leaves every other setting alone
    # the same bytes in every environment of one Argo CD: applying either bootstrap is the same
    assert rendered["prd"].files[PATCH].text.splitlines()[1:] == rendered["dev"].files[PATCH].text.splitlines()[1:]
    elsewhere = mutate(rendered["prd"], PATCH, lambda p: p["metadata"].update(namespace="default"), doc=0)
    found = assert_findings(argocd_application_health, elsewhere, [(PATCH, line_with(elsewhere, PATCH, "metadata:"))])
    assert "namespace of the root" in found[0].message


def test_fleet_trees_have_no_bootstrap_and_are_not_held_to_it(rendered: dict[str, RenderedTree]) -> None:
    fleet_like = without_file(without_file(rendered["prd"], PATCH), "bootstrap/root.yaml")
    assert_findings(argocd_application_health, fleet_like, [])
