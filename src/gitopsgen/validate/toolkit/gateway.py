"""Gateway API objects of a tree: Gateways, HTTPRoutes, their hostnames, and the NGINX data plane
NGINX Gateway Fabric provisions for a Gateway (`spec.edge_names`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import edge_names
from gitopsgen.tree.argocd import chart_application, values_doc
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.tree.yamlio import dig

YamlPath = tuple[str | int, ...]


def gateways(tree: RenderedTree) -> dict[tuple[str, str], Manifest]:
    """(namespace, name) -> Gateway."""
    out: dict[tuple[str, str], Manifest] = {}
    for doc in tree.manifests("Gateway"):
        if str(doc.data.get("apiVersion", "")).startswith(edge_names.GATEWAY_API_GROUP + "/"):
            out[(str(doc.ident.namespace or "default"), str(doc.ident.name))] = doc
    return out


def http_routes(tree: RenderedTree) -> Iterator[Manifest]:
    for doc in tree.manifests("HTTPRoute"):
        if str(doc.data.get("apiVersion", "")).startswith(edge_names.GATEWAY_API_GROUP + "/"):
            yield doc


def route_hosts(tree: RenderedTree) -> Iterator[tuple[Manifest, YamlPath, str]]:
    """(HTTPRoute, path, hostname) of every hostname an HTTPRoute serves."""
    for doc in http_routes(tree):
        for i, host in enumerate(dig(doc.data, "spec", "hostnames", default=[]) or []):
            if isinstance(host, str):
                yield doc, ("spec", "hostnames", i), host


def ngf_class(tree: RenderedTree) -> str | None:
    """The GatewayClass NGINX Gateway Fabric serves (its values' gatewayClassName, chart default
    `nginx`); None when no Application installs the chart."""
    if chart_application(tree, edge_names.NGF_CHART) is None:
        return None
    values = values_doc(tree, edge_names.NGF_CHART)
    name = dig(values.data, "nginxGateway", "gatewayClassName") if values else None
    return name if isinstance(name, str) else "nginx"


def data_plane_urls(tree: RenderedTree) -> dict[str, Manifest]:
    """`http://<data-plane Service>.<ns>.svc.cluster.local:<port>` of every HTTP listener of every
    Gateway NGINX Gateway Fabric serves in this tree -> its Gateway."""
    gateway_class = ngf_class(tree)
    if gateway_class is None:
        return {}
    out: dict[str, Manifest] = {}
    for (namespace, name), doc in gateways(tree).items():
        if dig(doc.data, "spec", "gatewayClassName") != gateway_class:
            continue
        service = edge_names.data_plane_name(name, gateway_class)
        for listener in dig(doc.data, "spec", "listeners", default=[]) or []:
            if isinstance(listener, dict) and listener.get("protocol") == "HTTP":
                out[f"http://{service}.{namespace}.svc.cluster.local:{listener.get('port')}"] = doc
    return out


def parent_refs(route: Manifest) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, ref in enumerate(dig(route.data, "spec", "parentRefs", default=[]) or []):
        if isinstance(ref, dict):
            yield i, ref


def hostname_matches(listener_host: str | None, host: str) -> bool:
    """Gateway API hostname intersection: no listener hostname matches all; `*.example.com`
    matches any host with that suffix and at least one more label."""
    if not listener_host:
        return True
    if listener_host.startswith("*."):
        return host.endswith(listener_host[1:]) and len(host) > len(listener_host) - 1
    return host == listener_host
