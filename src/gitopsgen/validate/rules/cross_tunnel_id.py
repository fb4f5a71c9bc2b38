"""cross-tunnel-id: no two environments run connectors of the same Cloudflare Tunnel.

A tunnel's connectors are interchangeable: Cloudflare spreads requests over every connected
cloudflared. Two environments whose committed configs (`config/cloudflared/config.yaml`) name the
same `tunnel` (an environment copied from another with only its hostname changed) split the
traffic of both hostnames between two clusters, each answering 404 for the other's hosts. Each
environment needs its own tunnel (`cloudflared tunnel create`), its own credentials and its own
CNAME target.

Upstream: cloudflare/cloudflared (a tunnel's connectors and their ingress rules,
docs/components.md §5). Run by `render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, cloudflared_config, collisions

ID = "cross-tunnel-id"


def _sites(trees: Sequence[RenderedTree]) -> Iterator[tuple[object, Site]]:
    for tree in trees:
        config = cloudflared_config(tree)
        tunnel = config.data.get("tunnel") if config is not None and isinstance(config.data, dict) else None
        if config is not None and isinstance(tunnel, str):
            yield tunnel, Site(tree, config, ("tunnel",))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    for site, first in collisions(_sites(trees)):
        yield CrossFinding(site, f"environment {site.tree.env} runs tunnel {site.doc.data['tunnel']} too, "
                           f"already at {first}: both clusters' connectors would split the traffic",
                           hint="create a tunnel per environment (cloudflared tunnel create) and use its id")
