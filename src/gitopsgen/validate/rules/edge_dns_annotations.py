"""edge-dns-annotations: public Ingresses and HTTPRoutes point External-DNS at the tunnel, proxied.

Facts: docs/components.md §6.

With a Cloudflare Tunnel (a `config/cloudflared/config.yaml` in the tree) every Ingress served
by ingress-nginx needs `<prefix>target: <TunnelID>.cfargotunnel.com`, so External-DNS writes a
CNAME to the tunnel instead of the (private) controller address, and `<prefix>cloudflare-proxied:
"true"`: tunnel CNAMEs only work proxied (docs/components.md §5, §6). `<TunnelID>` is the config's
`tunnel:` (when it is a UUID). `<prefix>` must be the one the External-DNS image reads: its
values' `annotationPrefix` when rendered (v0.22 reads only the configured prefix), else either
`external-dns.alpha.kubernetes.io/` or `external-dns.kubernetes.io/`, used consistently.

On the Gateway edge (NGINX Gateway Fabric) External-DNS' `gateway-httproute` source takes the
target from the route's parent Gateway and provider settings from the route
(kubernetes-sigs/external-dns v0.21.0 `source/gateway.go`: `TargetsFromTargetAnnotation(gw.Annotations)`,
`ProviderSpecificAnnotations` of the route): every Gateway an HTTPRoute attaches to carries the
tunnel target, and every HTTPRoute `cloudflare-proxied: "true"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import (
    Finding,
    cloudflared_config,
    dig,
    distinct,
    gateways,
    http_routes,
    ingress_hosts,
    nginx_class,
    parent_refs,
    values_doc,
)

ID = "edge-dns-annotations"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def check(tree: RenderedTree) -> Iterator[Finding]:
    config = cloudflared_config(tree)
    if config is None or not isinstance(config.data, dict):
        return
    tunnel = str(config.data.get("tunnel") or "")
    target = f"{tunnel}{domain.TUNNEL_TARGET_SUFFIX}" if UUID.match(tunnel) else None
    values = values_doc(tree, "external-dns")
    configured = dig(values.data, "annotationPrefix") if values else None
    prefixes = (configured,) if isinstance(configured, str) else domain.EXTERNAL_DNS_PREFIXES
    for doc in distinct(ingress_hosts(tree, nginx_class(tree))):
        missing = list(_target(doc, prefixes, target))
        yield from missing
        if not any(f.path == ("metadata",) for f in missing):
            yield from _proxied(doc, prefixes)
    found = gateways(tree)
    parents: dict[tuple[str, str], Manifest] = {}
    for route in http_routes(tree):
        yield from _proxied(route, prefixes)
        for _, ref in parent_refs(route):
            key = (str(ref.get("namespace") or route.ident.namespace or "default"), str(ref.get("name")))
            if key in found:
                parents[key] = found[key]
    for _, gateway in sorted(parents.items()):
        yield from _target(gateway, prefixes, target)


def _prefix(annotations: dict[str, str], prefixes: tuple[str, ...], key: str) -> str | None:
    return next((p for p in prefixes if f"{p}{key}" in annotations), None)


def _target(doc: Manifest, prefixes: tuple[str, ...], target: str | None) -> Iterator[Finding]:
    annotations = dig(doc.data, "metadata", "annotations", default={}) or {}
    prefix = _prefix(annotations, prefixes, "target")
    if prefix is None:
        yield Finding(("metadata",), f"no {prefixes[0]}target annotation: External-DNS would not "
                      "point the host at the tunnel",
                      hint=f"{prefixes[0]}target: {target or '<TunnelID>.cfargotunnel.com'}", doc=doc)
        return
    path = ("metadata", "annotations", f"{prefix}target")
    if target is not None and annotations[f"{prefix}target"] != target:
        yield Finding(path, f"target {annotations[f'{prefix}target']!r} is not the tunnel {target!r}", doc=doc)


def _proxied(doc: Manifest, prefixes: tuple[str, ...]) -> Iterator[Finding]:
    annotations = dig(doc.data, "metadata", "annotations", default={}) or {}
    prefix = _prefix(annotations, prefixes, "cloudflare-proxied") or _prefix(annotations, prefixes, "target") \
        or prefixes[0]
    proxied = annotations.get(f"{prefix}cloudflare-proxied")
    if proxied != "true":
        yield Finding(("metadata", "annotations", f"{prefix}cloudflare-proxied")
                      if proxied is not None else ("metadata", "annotations") if annotations else ("metadata",),
                      f'{prefix}cloudflare-proxied must be "true" for a tunnel CNAME, got {proxied!r}', doc=doc)
