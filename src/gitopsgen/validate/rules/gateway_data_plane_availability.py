"""gateway-data-plane-availability: the production NGINX data plane survives a node drain.

With NGINX Gateway Fabric every request of a production environment passes through the NGINX
data plane NGF provisions for the platform Gateway. The chart's `nginx.replicas` defaults to 1
and NGF renders no PodDisruptionBudget for it. So in a tree whose AppProject is labelled
`gitopsgen.io/tier: production`, for every Gateway of the class NGF serves, with the NGF values
merged over the chart defaults as Helm does:

* a Deployment (`nginx.kind`, default `deployment`) of at least 2 replicas (`nginx.replicas`, or
  `nginx.autoscaling.minReplicas` when autoscaling is on); a DaemonSet is out of scope here;
* a rendered PodDisruptionBudget in the Gateway's namespace selecting its data-plane pods
  (`app.kubernetes.io/name: <gateway>-<class>`, `gateway.networking.k8s.io/gateway-name`) that
  lets one go;
* pods spread over nodes: `nginx.pod.topologySpreadConstraints` or `nginx.pod.affinity`.

Upstream: nginx/nginx-gateway-fabric v2.6.7 charts/nginx-gateway-fabric/values.yaml
(`nginx.replicas: 1`, `nginx.pod`), templates/nginxproxy.yaml (where they go),
internal/controller/provisioner/objects.go (data-plane labels; no PodDisruptionBudget).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import edge_names
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "gateway-data-plane-availability"
DEFAULTS = {"nginx": {"kind": "deployment", "replicas": 1}}


def check(tree: RenderedTree) -> Iterator[Finding]:
    if not toolkit.production(tree):
        return
    gateway_class = toolkit.ngf_class(tree)
    found = toolkit.chart_application(tree, edge_names.NGF_CHART)
    if gateway_class is None or found is None:
        return
    app, _ = found
    paths = toolkit.values_paths(tree, app)
    values = toolkit.merged_values(tree, paths, DEFAULTS)
    docs = [doc for doc in map(tree.first, paths) if doc is not None]
    where = docs[-1] if docs else app
    base: tuple[str, ...] = ("nginx",) if docs else ("spec",)
    nginx = dig(values, "nginx", default={}) or {}
    if nginx.get("kind", "deployment") != "deployment":
        yield Finding(base, f"the NGINX data plane runs as a {nginx.get('kind')}: no replica count or "
                      "budget to check", hint="use nginx.kind: deployment with 2+ replicas", doc=where)
        return
    replicas = nginx.get("replicas", 1)
    if dig(nginx, "autoscaling", "enable") is True:
        replicas = dig(nginx, "autoscaling", "minReplicas", default=1)
    if not isinstance(replicas, int) or replicas < 2:
        yield Finding(base, f"{replicas} NGINX data-plane pod(s) for a production environment: one node "
                      "drain takes every request down", hint="set nginx.replicas: 2 (or more)", doc=where)
        return
    pod = nginx.get("pod") or {}
    if not pod.get("topologySpreadConstraints") and not pod.get("affinity"):
        yield Finding(base, f"{replicas} NGINX data-plane pods that may all land on one node",
                      hint="set nginx.pod.topologySpreadConstraints over kubernetes.io/hostname", doc=where)
    budgets = list(tree.manifests("PodDisruptionBudget"))
    for (namespace, name), gateway in sorted(toolkit.gateways(tree).items()):
        if dig(gateway.data, "spec", "gatewayClassName") != gateway_class:
            continue
        labels = edge_names.data_plane_labels(name, gateway_class)
        mine = [b for b in budgets if b.ident.namespace == namespace
                and toolkit.selects(dig(b.data, "spec", "selector"), labels)]
        if not mine:
            yield Finding(("metadata", "name"), f"no PodDisruptionBudget covers the data plane of Gateway "
                          f"{namespace}/{name}: a drain may evict every NGINX pod at once",
                          hint=f"render a PodDisruptionBudget selecting {labels}", doc=gateway)
            continue
        for budget in mine:
            spec = dig(budget.data, "spec", default={}) or {}
            allowed = toolkit.disruptions_allowed(
                {k: spec[k] for k in ("minAvailable", "maxUnavailable") if k in spec}, replicas)
            if allowed == 0:
                yield Finding(("spec",), f"lets none of the {replicas} NGINX data-plane pods go: node "
                              "drains block", hint="maxUnavailable: 1", doc=budget)
