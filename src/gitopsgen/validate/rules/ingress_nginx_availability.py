"""ingress-nginx-availability: the production entry point survives a node drain.

Every request of a production environment passes through the ingress-nginx controller; the chart
runs one pod (`controller.replicaCount: 1`) and renders its PodDisruptionBudget only when more
than one replica is configured. So in a tree whose AppProject is labelled
`gitopsgen.io/tier: production`, the values of every Application installing the `ingress-nginx`
chart (merged over the chart defaults, as Helm does) must give:

* a Deployment (`controller.kind`, the default) with at least 2 replicas (`replicaCount`, or
  `autoscaling.minReplicas` when autoscaling is on); a DaemonSet gets no PDB from the chart;
* a budget that lets a pod go: `minAvailable` (default 1) below the replica count, or
  `maxUnavailable` of at least one;
* pods spread over nodes: `controller.topologySpreadConstraints` or `controller.affinity`.

Upstream: kubernetes/ingress-nginx chart 4.15.1 values.yaml (`replicaCount: 1`, `minAvailable: 1`)
and templates/controller-poddisruptionbudget.yaml (`if gt $replicas 1`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "ingress-nginx-availability"


def _locator(docs: list[Document], base: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """Where to point for `controller.<key>`: at the key when a values file sets it, else at `base`."""
    def at(key: str) -> tuple[str, ...]:
        return ("controller", key) if any(dig(d.data, "controller", key) is not None for d in docs) else base
    return at


def check(tree: RenderedTree) -> Iterator[Finding]:
    if not toolkit.production(tree):
        return
    for app in toolkit.applications(tree):
        if domain.INGRESS_NGINX_CHART not in toolkit.charts(app):
            continue
        paths = toolkit.values_paths(tree, app)
        values = toolkit.merged_values(tree, paths, {"controller": dict(domain.INGRESS_NGINX_DEFAULTS)})
        docs = [doc for doc in map(tree.first, paths) if doc is not None]
        where = docs[-1] if docs else app
        base: tuple[str, ...] = ("controller",) if docs else ("spec",)
        at = _locator(docs, base)
        controller = dig(values, "controller", default={}) or {}
        if controller.get("kind", "Deployment") != "Deployment":
            yield Finding(at("kind"), f"the controller runs as a {controller.get('kind')}: the chart renders "
                          "no PodDisruptionBudget for it", hint="use controller.kind: Deployment with 2+ replicas",
                          doc=where)
            continue
        replicas = controller.get("replicaCount", 1)
        if dig(controller, "autoscaling", "enabled") is True:
            replicas = dig(controller, "autoscaling", "minReplicas", default=1)
        if not isinstance(replicas, int) or replicas < 2:
            yield Finding(at("replicaCount"), f"{replicas} ingress-nginx controller pod(s) for a production "
                          "environment: one node drain takes every request down, and the chart renders no "
                          "PodDisruptionBudget", hint="set controller.replicaCount: 2 (or more)", doc=where)
            continue
        allowed = toolkit.disruptions_allowed(
            {k: controller[k] for k in ("minAvailable", "maxUnavailable") if k in controller}, replicas)
        if allowed == 0:
            key = "maxUnavailable" if "maxUnavailable" in controller else "minAvailable"
            yield Finding(at(key), f"the controller's PodDisruptionBudget lets none of its {replicas} pods go: "
                          "node drains block", hint="keep minAvailable below replicaCount", doc=where)
        if not controller.get("topologySpreadConstraints") and not controller.get("affinity"):
            yield Finding(base, f"{replicas} controller pods that may all land on one node",
                          hint="set controller.topologySpreadConstraints over kubernetes.io/hostname", doc=where)
