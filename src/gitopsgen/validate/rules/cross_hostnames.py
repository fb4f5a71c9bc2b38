"""cross-hostnames: no two environments serve the same hostname.

A public hostname has one DNS record: two environments whose Ingresses declare the same host
fight over the record (External-DNS) or the tunnel route, and users reach whichever cluster won
last. An environment copied from another must change its hostnames.

Upstream: Kubernetes Ingress `spec.rules[].host`; kubernetes-sigs/external-dns (one record per
name), docs/components.md §5. Run by `render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, collisions, ingress_hosts

ID = "cross-hostnames"


def _sites(trees: Sequence[RenderedTree]) -> Iterator[tuple[object, Site]]:
    for tree in trees:
        for doc, i, host in ingress_hosts(tree):
            yield host.lower(), Site(tree, doc, ("spec", "rules", i, "host"))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    for site, first in collisions(_sites(trees)):
        host = site.doc.data["spec"]["rules"][site.path[2]]["host"]
        yield CrossFinding(site, f"host {host!r} is also served by environment {first.tree.env} at {first}",
                           hint="give each environment its own hostname (app.hostname, edge.hostname)")
