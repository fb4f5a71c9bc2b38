"""edge-tailscale: the tailnet edge stays private and names the host it exposes.

Facts: docs/components.md §8.

The tailnet edge is in use when ingress-nginx's controller Service is exposed by the Tailscale
operator (values `controller.service.loadBalancerClass: tailscale`, or the `tailscale.com/expose`
/ `tailscale.com/hostname` annotations) or an Ingress host is a MagicDNS name (`*.ts.net`). Then:

* the `tailscale.com/hostname` annotation is a DNS label (<= 63 of `[a-z0-9-]`), else the operator
  refuses it ("invalid Tailscale hostname");
* every Ingress host is `<hostname>.<tailnet>.ts.net` (with the annotation's hostname when set);
* nothing is public: no External-DNS annotations on any Ingress, no cloudflared config or
  Deployment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import (
    Finding,
    cloudflared_config,
    containers,
    dig,
    distinct,
    external_dns_annotations,
    ingress_hosts,
    values_doc,
)

ID = "edge-tailscale"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
TS_HOST = re.compile(r"^(?P<label>[a-z0-9-]{1,63})\.[a-z0-9-]+\.ts\.net$")
HOSTNAME_ANNOTATION = ("controller", "service", "annotations", "tailscale.com/hostname")


def check(tree: RenderedTree) -> Iterator[Finding]:
    values = values_doc(tree, "ingress-nginx")
    service = dig(values.data, "controller", "service", default={}) if values is not None else {}
    annotations = dig(service, "annotations", default={}) or {}
    via_values = isinstance(service, dict) and (
        service.get("loadBalancerClass") == "tailscale" or annotations.get("tailscale.com/expose") == "true"
        or "tailscale.com/hostname" in annotations)
    hosts = list(ingress_hosts(tree))
    if not via_values and not any(host.endswith(".ts.net") for _, _, host in hosts):
        return
    hostname = dig(values.data, *HOSTNAME_ANNOTATION) if values is not None else None
    if values is not None and hostname is not None and not (isinstance(hostname, str) and DNS_LABEL.match(hostname)):
        yield Finding(HOSTNAME_ANNOTATION, f"invalid Tailscale hostname {hostname!r}: must be a DNS "
                      "label (<= 63 of a-z, 0-9, '-')", doc=values)
    for doc, i, host in hosts:
        match = TS_HOST.match(host)
        if match is None or (isinstance(hostname, str) and match["label"] != hostname):
            want = f"{hostname}.<tailnet>.ts.net" if isinstance(hostname, str) else "<hostname>.<tailnet>.ts.net"
            yield Finding(("spec", "rules", i, "host"), f"host {host!r} is not the tailnet name {want}", doc=doc)
    for doc in distinct(iter(hosts)):
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
