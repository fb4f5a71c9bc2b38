"""network-policies: the app's namespace denies by default and only the edge reaches ingress-nginx.

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
  must stay open to the API server, which no selector can name.

Upstream: Kubernetes docs "Network Policies" (default deny, isolation by policyTypes);
CloudNativePG docs/src/networking.md; ingress-nginx chart 4.15.1 `_helpers.tpl` selector
labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import domain
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
    found = toolkit.chart_application(tree, domain.INGRESS_NGINX_CHART)
    if found is None:
        return
    app, source = found
    namespace = dig(app.data, "spec", "destination", "namespace")
    release = dig(source.data, "helm", "releaseName") or app.ident.name
    labels = domain.ingress_controller_pod_labels(str(release))
    covering = [p for p in policies if p.ident.namespace == namespace and
                selects(dig(p.data, "spec", "podSelector"), labels) and
                "Ingress" in (dig(p.data, "spec", "policyTypes", default=[]) or [])]
    if not covering:
        yield Finding(("spec", "destination", "namespace"), f"no NetworkPolicy selects the ingress-nginx "
                      f"controller pods in {namespace!r}: any pod may bypass the edge",
                      hint="allow its HTTP port only from the edge's pods", doc=app)
        return
    for policy in covering:
        for i, rule in enumerate(dig(policy.data, "spec", "ingress", default=[]) or []):
            if _admits_http(rule) and _from_anywhere(rule):
                yield Finding(("spec", "ingress", i), "admits the controller's HTTP port from anywhere",
                              hint="name the edge's namespace and pods in `from`", doc=policy)


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
