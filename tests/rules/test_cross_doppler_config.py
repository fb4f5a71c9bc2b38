"""cross-doppler-config: two environments rarely mean to read the same Doppler config (warning)."""

from __future__ import annotations

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_doppler_config
from kit import assert_cross_findings, line_with, mutate, renamed

STORE = "manifests/secret-store/cluster-secret-store.yaml"


def test_a_shared_doppler_config_is_a_warning_in_the_later_environment(rendered: dict[str, RenderedTree]) -> None:
    assert_cross_findings(cross_doppler_config, [rendered["dev"], rendered["prd"]], [])
    stg = renamed(rendered["prd"], "stg")
    found = assert_cross_findings(cross_doppler_config, [rendered["prd"], stg],
                                  [(f"rendered/stg/{STORE}", line_with(stg, STORE, "config:"))])
    assert found[0].severity == Severity.WARNING
    assert "example-api/prd" in found[0].message


def test_another_project_with_the_same_config_name_is_fine(rendered: dict[str, RenderedTree]) -> None:
    stg = mutate(renamed(rendered["prd"], "stg"), STORE,
                 lambda s: s["spec"]["provider"]["doppler"].update(project="other-api"), doc=0)
    assert_cross_findings(cross_doppler_config, [rendered["prd"], stg], [])
