"""gateway-route-parents: every HTTPRoute attaches to a rendered Gateway through a listener that accepts it.

An HTTPRoute whose parent does not accept it is simply not served: the controller marks it
`Accepted: False` and NGINX never learns the host, with nothing failing at sync time. For each
`spec.parentRefs[]` entry of kind Gateway (group `gateway.networking.k8s.io`, the defaults), in
the route's namespace unless `namespace` is given:

* the Gateway is rendered in this tree;
* with `sectionName`, the Gateway has a listener of that name; with `port`, one on that port;
* at least one such listener accepts the route: its `allowedRoutes.namespaces.from` admits the
  route's namespace (`Same` by default; `All`; `Selector` matched against the labels of the
  namespace as rendered, plus `kubernetes.io/metadata.name`, which every namespace carries) and its
  `allowedRoutes.kinds`, when given, include HTTPRoute; the listener's protocol is HTTP or HTTPS;
* the route's `hostnames` intersect that listener's `hostname` (a listener without one takes
  every host; `*.example.com` takes hosts under it): a hostname no listener takes is never served.

Upstream: kubernetes-sigs/gateway-api v1.5.1 `apis/v1/httproute_types.go` (hostnames),
`apis/v1/shared_types.go` (ParentReference), `apis/v1/gateway_types.go` (AllowedRoutes,
RouteNamespaces).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import edge_names
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "gateway-route-parents"
NAME_LABEL = "kubernetes.io/metadata.name"


def check(tree: RenderedTree) -> Iterator[Finding]:
    found = toolkit.gateways(tree)
    for route in toolkit.http_routes(tree):
        namespace = str(route.ident.namespace or "default")
        hosts = [h for h in dig(route.data, "spec", "hostnames", default=[]) or [] if isinstance(h, str)]
        for i, ref in toolkit.parent_refs(route):
            if ref.get("group", edge_names.GATEWAY_API_GROUP) != edge_names.GATEWAY_API_GROUP or \
                    ref.get("kind", "Gateway") != "Gateway":
                continue
            where = ("spec", "parentRefs", i)
            key = (str(ref.get("namespace") or namespace), str(ref.get("name")))
            gateway = found.get(key)
            if gateway is None:
                yield Finding((*where, "name"), f"parent Gateway {key[0]}/{key[1]} is not rendered: the "
                              "route is never served", hint="name a Gateway of this tree in parentRefs", doc=route)
                continue
            yield from _listeners(route, where, ref, gateway, _labels(tree, namespace), hosts)


def _labels(tree: RenderedTree, namespace: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for doc in tree.manifests("Namespace"):
        if doc.ident.name == namespace:
            labels.update(dig(doc.data, "metadata", "labels", default={}) or {})
    return {**labels, NAME_LABEL: namespace}


def _listeners(route: Manifest, where: tuple[str | int, ...], ref: dict[str, Any], gateway: Manifest,
               labels: dict[str, str], hosts: list[str]) -> Iterator[Finding]:
    namespace = labels[NAME_LABEL]
    listeners = [lst for lst in dig(gateway.data, "spec", "listeners", default=[]) or [] if isinstance(lst, dict)]
    name = f"{gateway.ident.namespace}/{gateway.ident.name}"
    section, port = ref.get("sectionName"), ref.get("port")
    if section is not None:
        listeners = [lst for lst in listeners if lst.get("name") == section]
        if not listeners:
            yield Finding((*where, "sectionName"), f"Gateway {name} has no listener {section!r}", doc=route)
            return
    if port is not None:
        listeners = [lst for lst in listeners if lst.get("port") == port]
        if not listeners:
            yield Finding((*where, "port"), f"Gateway {name} has no listener on port {port}", doc=route)
            return
    accepting = [lst for lst in listeners if _accepts(lst, gateway, labels)]
    if not accepting:
        yield Finding(where, f"no listener of Gateway {name} accepts HTTPRoutes from namespace "
                      f"{namespace!r}", hint="widen the listener's allowedRoutes, or attach to another listener",
                      doc=route)
        return
    for j, host in enumerate(hosts):
        if not any(toolkit.hostname_matches(lst.get("hostname"), host) for lst in accepting):
            yield Finding(("spec", "hostnames", j), f"hostname {host!r} matches no listener of Gateway "
                          f"{name} the route attaches to: it is never served",
                          hint="add a listener for it, or fix the hostname", doc=route)


def _accepts(listener: dict[str, Any], gateway: Manifest, labels: dict[str, str]) -> bool:
    if listener.get("protocol") not in ("HTTP", "HTTPS"):
        return False
    kinds = dig(listener, "allowedRoutes", "kinds")
    if isinstance(kinds, list) and kinds and not any(
            isinstance(k, dict) and k.get("kind") == "HTTPRoute"
            and k.get("group", edge_names.GATEWAY_API_GROUP) == edge_names.GATEWAY_API_GROUP for k in kinds):
        return False
    origin = dig(listener, "allowedRoutes", "namespaces", "from", default="Same")
    if origin == "All":
        return True
    if origin == "Same":
        return labels[NAME_LABEL] == str(gateway.ident.namespace or "default")
    if origin == "Selector":
        selector = dig(listener, "allowedRoutes", "namespaces", "selector", default={}) or {}
        return toolkit.selects(selector, labels)
    return False
