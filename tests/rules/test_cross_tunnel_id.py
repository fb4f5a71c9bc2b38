"""cross-tunnel-id: no two environments run connectors of the same Cloudflare Tunnel."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_tunnel_id
from kit import assert_cross_findings, line_with, mutate, renamed

CONFIG = "config/cloudflared/config.yaml"


def test_a_copied_tunnel_id_is_flagged_in_the_copy_naming_the_original(rendered: dict[str, RenderedTree]) -> None:
    stg = renamed(rendered["prd"], "stg")
    line = line_with(stg, CONFIG, "tunnel:")
    found = assert_cross_findings(cross_tunnel_id, [rendered["dev"], rendered["prd"], stg],
                                  [(f"rendered/stg/{CONFIG}", line)])
    assert f"rendered/prd/{CONFIG}:{line_with(rendered['prd'], CONFIG, 'tunnel:')}" in found[0].message


def test_tunnels_of_their_own_do_not_collide(rendered: dict[str, RenderedTree]) -> None:
    stg = mutate(renamed(rendered["prd"], "stg"), CONFIG,
                 lambda c: c.update(tunnel="0c6b3f7e-2f7a-4c55-9d1e-7a1f1b0f4e21"), doc=0)
    assert_cross_findings(cross_tunnel_id, [rendered["dev"], rendered["prd"], stg], [])
