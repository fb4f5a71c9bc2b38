"""network-policies: the app's namespace denies by default and only the edge reaches NGINX.

Without NetworkPolicies every pod of the cluster can connect to PostgreSQL, Redis and the
sentinels, and to the ingress controller behind the tunnel, bypassing Cloudflare. So:

* every namespace holding rendered workloads (Deployment, StatefulSet, DaemonSet) has a
  default-deny policy for ingress: `podSelector: {}`, `Ingress` in `policyTypes`, no ingress rule;
* a namespace holding data-layer custom resources (CloudNativePG Cluster, OT Redis) denies egress
  by default as well (`Egress` in `policyTypes`, no egress rule): its pods' traffic is then what
  the other policies allow, and nothing else;
* when the tree installs the ingress-nginx chart, a policy selects the controller pods (the
  chart's selector labels with the release name, `app.kubernetes.io/component: controller`), and
  every rule admitting its HTTP port names where from (no rule without `from`, no `0.0.0.0/0`):
  only the edge (cloudflared, or the Tailscale proxies) may reach it. Its admission webhook port
  must stay open to the API server, which no selector can name, and closed to pods: rules
  admitting it name an ipBlock with exceptions (the pod network), never pods or namespaces;
* likewise for the NGINX data plane NGINX Gateway Fabric provisions for each Gateway of its
  class in the tree: a policy selects its pods (`app.kubernetes.io/name: <gateway>-<class>`,
  `gateway.networking.k8s.io/gateway-name: <gateway>`; nginx/nginx-gateway-fabric v2.6.7
  `internal/controller/provisioner/objects.go`) and admits HTTP only from named sources.

Upstream: Kubernetes docs "Network Policies" (default deny, isolation by policyTypes);
CloudNativePG docs/src/networking.md; ingress-nginx chart 4.15.1 `_helpers.tpl` selector
labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import domain, edge_names
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig, selects

ID = "network-policies"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


def _denies(policy: Manifest, direction: str) -> bool:
    spec = policy.data.get("spec") or {}
    key = direction.lower()
    return spec.get("podSelector") == {} and direction in (spec.get("policyTypes") or []) and not spec.get(key)


def check(tree: RenderedTree) -> Iterator[Finding]:
    policies = list(tree.manifests("NetworkPolicy"))
    first: dict[str, Manifest] = {}
    data: set[str] = set()
    for doc in tree.manifests():
        ns = doc.ident.namespace
        if ns is None:
            continue
        if doc.ident.kind in WORKLOADS:
            first.setdefault(ns, doc)
        if (doc.ident.kind == "Cluster" and doc.ident.api_version == domain.CNPG_API_VERSION) or \
                doc.ident.group == domain.REDIS_GROUP:
            first.setdefault(ns, doc)
            data.add(ns)
    for ns, doc in sorted(first.items()):
        mine = [p for p in policies if p.ident.namespace == ns]
        for direction in ("Ingress", "Egress") if ns in data else ("Ingress",):
            if not any(_denies(p, direction) for p in mine):
                yield Finding(("metadata", "namespace"), f"namespace {ns!r} has no default-deny "
                              f"{direction.lower()} policy: every pod of the cluster is allowed"
                              f"{' in' if direction == 'Ingress' else ' out'}",
                              hint=f"render a NetworkPolicy with podSelector: {{}} and policyTypes [{direction}]",
                              doc=doc)
    yield from _controller(tree, policies)


def _controller(tree: RenderedTree, policies: list[Manifest]) -> Iterator[Finding]:
    for where, path, namespace, labels, what in _nginx_pods(tree):
        covering = [p for p in policies if p.ident.namespace == namespace and
                    selects(dig(p.data, "spec", "podSelector"), labels) and
                    "Ingress" in (dig(p.data, "spec", "policyTypes", default=[]) or [])]
        if not covering:
            yield Finding(path, f"no NetworkPolicy selects the {what} pods in {namespace!r}: any pod may "
                          "bypass the edge", hint="allow its HTTP port only from the edge's pods", doc=where)
            continue
        for policy in covering:
            for i, rule in enumerate(dig(policy.data, "spec", "ingress", default=[]) or []):
                if _admits_http(rule) and _from_anywhere(rule):
                    yield Finding(("spec", "ingress", i), f"admits the {what}'s HTTP port from anywhere",
                                  hint="name the edge's namespace and pods in `from`", doc=policy)
                if what == "ingress-nginx controller" and _admits(rule, domain.INGRESS_NGINX_WEBHOOK_PORT) \
                        and _from_pods(rule):
                    yield Finding(("spec", "ingress", i), "admits the admission webhook port from pods: "
                                  "only the API server may call it (ingress-nginx is retired, its webhook "
                                  "unpatched)", hint="allow it from an ipBlock that excepts the pod network",
                                  doc=policy)


def _nginx_pods(tree: RenderedTree) -> Iterator[tuple[Manifest, tuple[str, ...], str, dict[str, str], str]]:
    """(where to report, path, namespace, pod labels, what) of the NGINX pods in front of the API."""
    found = toolkit.chart_application(tree, domain.INGRESS_NGINX_CHART)
    if found is not None:
        app, source = found
        namespace = dig(app.data, "spec", "destination", "namespace")
        release = dig(source.data, "helm", "releaseName") or app.ident.name
        yield (app, ("spec", "destination", "namespace"), str(namespace),
               domain.ingress_controller_pod_labels(str(release)), "ingress-nginx controller")
    gateway_class = toolkit.ngf_class(tree)
    if gateway_class is None:
        return
    for (namespace, name), gateway in sorted(toolkit.gateways(tree).items()):
        if dig(gateway.data, "spec", "gatewayClassName") == gateway_class:
            yield (gateway, ("metadata", "name"), namespace, edge_names.data_plane_labels(name, gateway_class),
                   "NGINX data plane")


def _admits(rule: Any, port: int) -> bool:
    ports = rule.get("ports") if isinstance(rule, dict) else None
    return not ports or any(isinstance(p, dict) and p.get("port") == port for p in ports)


def _from_pods(rule: Any) -> bool:
    """Whether some pod may match the rule's sources: no `from`, a pod or namespace selector, or
    an ipBlock without exceptions."""
    peers = rule.get("from") if isinstance(rule, dict) else None
    if not peers:
        return True
    return any(isinstance(p, dict) and ("podSelector" in p or "namespaceSelector" in p or p == {}
                                        or ("ipBlock" in p and not dig(p, "ipBlock", "except")))
               for p in peers)


def _admits_http(rule: Any) -> bool:
    ports = rule.get("ports") if isinstance(rule, dict) else None
    if not ports:
        return True
    return any(isinstance(p, dict) and p.get("port") in (domain.INGRESS_NGINX_HTTP_PORT, "http") for p in ports)


def _from_anywhere(rule: Any) -> bool:
    peers = rule.get("from") if isinstance(rule, dict) else None
    if not peers:
        return True
    return any(isinstance(p, dict) and (p == {} or dig(p, "ipBlock", "cidr") in ("0.0.0.0/0", "::/0"))
               for p in peers)
