"""edge-tailscale: the tailnet edge stays private and names the host it exposes.

Facts: docs/components.md §8.

The tailnet edge is in use when the NGINX in front of the API is exposed by the Tailscale
operator: ingress-nginx's controller Service (values `controller.service.loadBalancerClass:
tailscale`, or the `tailscale.com/expose` / `tailscale.com/hostname` annotations), or the data
plane of a Gateway (its `spec.infrastructure.annotations`, which NGINX Gateway Fabric copies onto
the data-plane Service: nginx/nginx-gateway-fabric v2.6.7 `internal/controller/provisioner/objects.go`;
the operator exposes a Service annotated `tailscale.com/expose: "true"`: tailscale/tailscale
`cmd/k8s-operator/sts.go` AnnotationExpose), or an Ingress or HTTPRoute host is a MagicDNS name
(`*.ts.net`). Then:

* the `tailscale.com/hostname` annotation is a DNS label (<= 63 of `[a-z0-9-]`), else the operator
  refuses it ("invalid Tailscale hostname");
* every Ingress host is `<hostname>.<tailnet>.ts.net` (with the annotation's hostname when set);
  so is every HTTPRoute hostname, and its parent Gateway is the one exposed on the tailnet (a
  route behind a Gateway nobody exposes is reachable from nowhere);
* nothing is public: no External-DNS annotations on any Ingress or HTTPRoute, no cloudflared
  config or Deployment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import (
    Finding,
    cloudflared_config,
    containers,
    dig,
    distinct,
    external_dns_annotations,
    gateways,
    ingress_hosts,
    parent_refs,
    route_hosts,
    values_doc,
)

ID = "edge-tailscale"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
TS_HOST = re.compile(r"^(?P<label>[a-z0-9-]{1,63})\.[a-z0-9-]+\.ts\.net$")
HOSTNAME_ANNOTATION = ("controller", "service", "annotations", "tailscale.com/hostname")
INFRASTRUCTURE = ("spec", "infrastructure", "annotations")


def check(tree: RenderedTree) -> Iterator[Finding]:
    values = values_doc(tree, "ingress-nginx")
    service = dig(values.data, "controller", "service", default={}) if values is not None else {}
    annotations = dig(service, "annotations", default={}) or {}
    via_values = isinstance(service, dict) and (
        service.get("loadBalancerClass") == "tailscale" or annotations.get("tailscale.com/expose") == "true"
        or "tailscale.com/hostname" in annotations)
    hosts = list(ingress_hosts(tree))
    exposed = _exposed_gateways(tree)
    routes = list(route_hosts(tree))
    if not via_values and not exposed and not any(host.endswith(".ts.net")
                                                  for host in [h for _, _, h in hosts] + [h for _, _, h in routes]):
        return
    yield from _gateways(tree, exposed, routes)
    hostname = dig(values.data, *HOSTNAME_ANNOTATION) if values is not None else None
    if values is not None and hostname is not None and not (isinstance(hostname, str) and DNS_LABEL.match(hostname)):
        yield Finding(HOSTNAME_ANNOTATION, f"invalid Tailscale hostname {hostname!r}: must be a DNS "
                      "label (<= 63 of a-z, 0-9, '-')", doc=values)
    for doc, i, host in hosts:
        match = TS_HOST.match(host)
        if match is None or (isinstance(hostname, str) and match["label"] != hostname):
            want = f"{hostname}.<tailnet>.ts.net" if isinstance(hostname, str) else "<hostname>.<tailnet>.ts.net"
            yield Finding(("spec", "rules", i, "host"), f"host {host!r} is not the tailnet name {want}", doc=doc)
    for doc in distinct(iter([*hosts, *((d, 0, h) for d, _, h in routes)])):
        for key in external_dns_annotations(doc):
            yield Finding(("metadata", "annotations", key), "External-DNS annotation on the "
                          "tailnet edge would publish public DNS", doc=doc)
    config = cloudflared_config(tree)
    if config is not None:
        yield Finding((), "a cloudflared tunnel config is rendered on the tailnet edge", doc=config)
    for doc in tree.manifests("Deployment"):
        for path, container in containers(doc):
            if "cloudflared" in str(container.get("image", "")):
                yield Finding((*path, "image"), "a cloudflared Deployment is rendered on the tailnet edge", doc=doc)


def _exposed_gateways(tree: RenderedTree) -> dict[tuple[str, str], Manifest]:
    """Gateways whose data-plane Service the Tailscale operator exposes."""
    return {key: doc for key, doc in gateways(tree).items()
            if (dig(doc.data, *INFRASTRUCTURE, default={}) or {}).get("tailscale.com/expose") == "true"}


def _gateways(tree: RenderedTree, exposed: dict[tuple[str, str], Manifest],
              routes: list[tuple[Manifest, tuple[str | int, ...], str]]) -> Iterator[Finding]:
    labels: dict[tuple[str, str], str | None] = {}
    for key, doc in exposed.items():
        hostname = (dig(doc.data, *INFRASTRUCTURE, default={}) or {}).get("tailscale.com/hostname")
        if hostname is not None and not (isinstance(hostname, str) and DNS_LABEL.match(hostname)):
            yield Finding((*INFRASTRUCTURE, "tailscale.com/hostname"), f"invalid Tailscale hostname "
                          f"{hostname!r}: must be a DNS label (<= 63 of a-z, 0-9, '-')", doc=doc)
        labels[key] = hostname if isinstance(hostname, str) else None
    for route, path, host in routes:
        namespace = str(route.ident.namespace or "default")
        parents = [(str(ref.get("namespace") or namespace), str(ref.get("name"))) for _, ref in parent_refs(route)]
        mine = [key for key in parents if key in exposed]
        if not mine:
            yield Finding(path, f"host {host!r} is routed through a Gateway the Tailscale operator does not "
                          "expose: reachable from nowhere", hint="annotate the Gateway's spec.infrastructure with "
                          "tailscale.com/expose: \"true\"", doc=route)
            continue
        match = TS_HOST.match(host)
        wanted = {labels[key] for key in mine}
        if match is None or (None not in wanted and match["label"] not in wanted):
            label = next(iter(wanted)) or "<hostname>"
            yield Finding(path, f"host {host!r} is not the tailnet name {label}.<tailnet>.ts.net", doc=route)
