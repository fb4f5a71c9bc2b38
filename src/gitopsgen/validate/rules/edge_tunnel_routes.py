"""edge-tunnel-routes: the tunnel routes exactly the public hosts to the NGINX in front of the API.

Facts: docs/components.md §5, §9, §12.

When the tree has a cloudflared config (`config/cloudflared/config.yaml`):

* every non-catch-all rule's URL service is the NGINX that serves the routes:
  - NGINX Gateway Fabric (its chart's Application is in the tree): the data-plane Service of one
    of its Gateways, `http://<gateway>-<class>.<gateway ns>.svc.cluster.local:<HTTP listener port>`
    (NGF names the data plane `<gateway>-<gatewayClassName>`: nginx/nginx-gateway-fabric v2.6.7
    `internal/framework/controller/resource.go`, `CreateNginxResourceName`);
  - ingress-nginx (its Application is in the tree): the controller Service,
    `http://<controller>.<ns>.svc.cluster.local:<http port>`, where `<controller>` follows the
    chart's naming (`<release>-controller` if the release name contains `ingress-nginx`, else
    `<release>-ingress-nginx-controller`; release = `helm.releaseName` or the Application name).
* every host of an Ingress served by ingress-nginx and every hostname of an HTTPRoute is
  matched by a non-catch-all rule (exact, or a leading `*.` by suffix), else it is unreachable
  through the tunnel; every rule hostname matches at least one such host (no dead rules); and,
  when External-DNS values are rendered, every such host (and `<prefix>hostname` entry) lies
  under one of its `domainFilters`, else no DNS record is ever written for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.cloudflared import host_matches, is_catch_all
from gitopsgen.validate.toolkit import (
    Finding,
    YamlPath,
    chart_application,
    cloudflared_config,
    data_plane_urls,
    dig,
    distinct,
    external_dns_annotations,
    ingress_hosts,
    nginx_class,
    route_hosts,
    values_doc,
)

ID = "edge-tunnel-routes"


def check(tree: RenderedTree) -> Iterator[Finding]:
    config = cloudflared_config(tree)
    if config is None or not isinstance(config.data, dict):
        return
    rules = [(i, r) for i, r in enumerate(config.data.get("ingress") or [])
             if isinstance(r, dict) and not is_catch_all(r)]
    expected = _controller_url(tree)
    gateway_urls = data_plane_urls(tree)
    if expected is not None or gateway_urls:
        allowed = sorted({*([expected] if expected else []), *gateway_urls})
        what = "the ingress-nginx controller" if not gateway_urls else "an NGINX Gateway Fabric data plane"
        for i, rule in rules:
            service = rule.get("service")
            if isinstance(service, str) and service.startswith(("http://", "https://")) and service not in allowed:
                yield Finding(("ingress", i, "service"), f"service {service!r} is not {what} "
                              f"({', '.join(repr(u) for u in allowed)})", doc=config)
    hosts: list[tuple[Manifest, YamlPath, str]] = [
        (doc, ("spec", "rules", i, "host"), host) for doc, i, host in ingress_hosts(tree, nginx_class(tree))]
    hosts += route_hosts(tree)
    for doc, path, host in hosts:
        if not any(host_matches(str(r.get("hostname") or ""), host) for _, r in rules):
            yield Finding(path, f"host {host!r} has no cloudflared ingress rule",
                          hint=f"add it to {config.file}", doc=doc)
    for i, rule in rules:
        pattern = str(rule.get("hostname") or "")
        if pattern and not any(host_matches(pattern, host) for _, _, host in hosts):
            yield Finding(("ingress", i, "hostname"), f"rule for {pattern!r} matches no Ingress or "
                          "HTTPRoute host (dead rule)", doc=config)
    values = values_doc(tree, "external-dns")
    filters = dig(values.data, "domainFilters", default=None) if values else None
    if isinstance(filters, list) and filters:
        yield from _domain_filters(tree, hosts, [str(f) for f in filters])


def _controller_url(tree: RenderedTree) -> str | None:
    found = chart_application(tree, domain.INGRESS_NGINX_CHART)
    if found is None:
        return None
    app, source = found
    release = dig(source.data, "helm", "releaseName") or app.ident.name
    namespace = dig(app.data, "spec", "destination", "namespace")
    values = values_doc(tree, domain.INGRESS_NGINX_CHART)
    default = domain.INGRESS_NGINX_HTTP_PORT
    port = dig(values.data, "controller", "service", "ports", "http", default=default) if values else default
    return f"http://{domain.ingress_controller_service(str(release))}.{namespace}.svc.cluster.local:{port}"


def _domain_filters(tree: RenderedTree, hosts: list[tuple[Manifest, YamlPath, str]],
                    filters: list[str]) -> Iterator[Finding]:
    def inside(host: str) -> bool:
        return any(host == f or host.endswith("." + f) for f in filters)

    for doc, path, host in hosts:
        if not inside(host):
            yield Finding(path, f"host {host!r} is outside the External-DNS domainFilters {filters}", doc=doc)
    for doc in distinct(iter((d, 0, h) for d, _, h in hosts)):
        for key, value in external_dns_annotations(doc).items():
            if key.endswith("/hostname"):
                for extra in str(value).split(","):
                    if extra.strip() and not inside(extra.strip()):
                        yield Finding(("metadata", "annotations", key), f"hostname {extra.strip()!r} is "
                                      f"outside the External-DNS domainFilters {filters}", doc=doc)
