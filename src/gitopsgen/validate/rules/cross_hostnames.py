"""cross-hostnames: no two environments serve the same hostname.

A public hostname has one DNS record: two environments whose Ingresses, HTTPRoutes or Gateway
listeners declare the same host fight over the record (External-DNS) or the tunnel route, and
users reach whichever cluster won last. An environment copied from another must change its
hostnames. Each host is reported once per environment: at its Ingress rule or HTTPRoute hostname,
or at the Gateway listener when no route of that environment names it.

Upstream: Kubernetes Ingress `spec.rules[].host`; Gateway API v1.5.1 `HTTPRoute.spec.hostnames`,
`Gateway.spec.listeners[].hostname`; kubernetes-sigs/external-dns (one record per name),
docs/components.md §5, §12. Run by `render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, collisions, dig, gateways, ingress_hosts, route_hosts

ID = "cross-hostnames"


def _sites(trees: Sequence[RenderedTree]) -> Iterator[tuple[object, Site]]:
    for tree in trees:
        seen: set[str] = set()
        for doc, i, host in ingress_hosts(tree):
            seen.add(host.lower())
            yield host.lower(), Site(tree, doc, ("spec", "rules", i, "host"))
        for doc, path, host in route_hosts(tree):
            seen.add(host.lower())
            yield host.lower(), Site(tree, doc, path)
        for doc in gateways(tree).values():
            for i, listener in enumerate(dig(doc.data, "spec", "listeners", default=[]) or []):
                name = listener.get("hostname") if isinstance(listener, dict) else None
                if isinstance(name, str) and name.lower() not in seen:
                    seen.add(name.lower())
                    yield name.lower(), Site(tree, doc, ("spec", "listeners", i, "hostname"))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    for site, first in collisions(_sites(trees)):
        host = dig(site.doc.data, *site.path)
        yield CrossFinding(site, f"host {host!r} is also served by environment {first.tree.env} at {first}",
                           hint="give each environment its own hostname (app.hostname, edge.hostname)")
