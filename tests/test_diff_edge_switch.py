"""`diff` calls the edge switch out: ingress-nginx replaced by NGINX Gateway Fabric (and back)."""

from __future__ import annotations

import io

from gitopsgen.diff.engine import compare_trees
from gitopsgen.report.diff_text import TextReporter
from gitopsgen.tree.manifests import RenderedTree


def test_the_switch_to_the_gateway_is_a_note_naming_both_applications(
        rendered: dict[str, RenderedTree], rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        result = compare_trees(env, rendered_ingress_nginx[env], rendered[env], label="")
        notes = [n for n in result.notes if n.kind == "edge-switch"]
        assert len(notes) == 1
        assert notes[0].message.startswith("the edge moves from ingress-nginx to NGINX Gateway Fabric")
        assert f"{env}-ingress-nginx" in notes[0].message and f"{env}-nginx-gateway-fabric" in notes[0].message
        assert "docs/migrate-ingress-nginx-to-gateway.md" in notes[0].message
        back = compare_trees(env, rendered[env], rendered_ingress_nginx[env], label="")
        assert [n.message.split(":")[0] for n in back.notes if n.kind == "edge-switch"] == [
            "the edge moves from NGINX Gateway Fabric to ingress-nginx"]
        same = compare_trees(env, rendered[env], rendered[env], label="")
        assert same.notes == []


def test_the_text_report_labels_it_an_edge_switch(rendered: dict[str, RenderedTree],
                                                  rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    env = compare_trees("prd", rendered_ingress_nginx["prd"], rendered["prd"], label="")
    out = io.StringIO()
    TextReporter(color=False).environment(env, out)
    assert "  ! edge switch: the edge moves from ingress-nginx to NGINX Gateway Fabric" in out.getvalue()
