"""argocd-crd-dry-run: custom resources sync only once their CRDs can exist (DOMAIN X29)."""

from __future__ import annotations

from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_crd_dry_run
from kit import WAVE, assert_findings, findings, line_with, mutate, places, set_wave, with_file


def _wave_line(tree: RenderedTree, path: str) -> int:
    return line_with(tree, path, WAVE)


CLUSTER = {
    "apiVersion": "postgresql.cnpg.io/v1",
    "kind": "Cluster",
    "metadata": {"name": "example-db", "namespace": "example-prd"},
    "spec": {"instances": 3, "storage": {"size": "20Gi"}},
}


def _with_cluster(tree: RenderedTree) -> RenderedTree:
    return with_file(tree, "manifests/data/postgres.yaml", [CLUSTER])


def _no_skip(app: Any) -> None:
    app["spec"]["syncPolicy"]["syncOptions"].remove("SkipDryRunOnMissingResource=true")


def test_crd_dry_run_rule_fires_when_crs_share_the_operators_wave_without_skip(
    rendered: dict[str, RenderedTree],
) -> None:
    tree = mutate(_with_cluster(rendered["prd"]), "apps/data.yaml", lambda a: (_no_skip(a), set_wave("-3")(a)), doc=0)
    problems = findings(argocd_crd_dry_run, tree)
    assert set(places(problems)) == {
        ("apps/data.yaml", _wave_line(tree, "apps/data.yaml"))
    }
    assert any("postgresql.cnpg.io" in p.message and "cloudnative-pg" in p.message for p in problems)


def test_crd_dry_run_rule_accepts_a_later_wave_or_the_sync_option(rendered: dict[str, RenderedTree]) -> None:
    later_wave = mutate(_with_cluster(rendered["prd"]), "apps/data.yaml", _no_skip, doc=0)
    assert_findings(argocd_crd_dry_run, later_wave, [])
    same_wave_skipping = mutate(_with_cluster(rendered["prd"]), "apps/data.yaml", set_wave("-3"), doc=0)
    assert_findings(argocd_crd_dry_run, same_wave_skipping, [])


def test_crd_dry_run_rule_warns_when_no_application_installs_the_crds(rendered: dict[str, RenderedTree]) -> None:
    tree = _with_cluster(rendered["prd"])
    del tree.files["apps/cloudnative-pg.yaml"]
    problems = findings(argocd_crd_dry_run, tree)
    assert [(*place, p.severity) for place, p in zip(places(problems), problems, strict=True)] == [
        ("apps/data.yaml", line_with(tree, "apps/data.yaml", "spec:"), Severity.WARNING)
    ]
