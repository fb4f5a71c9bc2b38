"""workload-availability: replicated workloads survive a node drain and a node failure.

For every Deployment and StatefulSet of the tree:

* with 2+ replicas, a PodDisruptionBudget in its namespace selects its pods and lets at least
  one of them go while keeping at least one: without a budget `kubectl drain` (cluster upgrades,
  autoscaler scale-down) may evict every replica at once; a budget that allows no disruption
  blocks the drain forever;
* with 2+ replicas, its pods spread over a topology domain (a `topologySpreadConstraints` entry
  or a pod anti-affinity term selecting its own pods): otherwise the scheduler may put every
  replica on one node, and losing that node loses the service;
* with 1 replica, no budget that allows no disruption selects it: it would block every node
  drain (the same reason CloudNativePG wants `enablePDB: false` for one instance).

Upstream: Kubernetes docs "Specifying a Disruption Budget for your Application"
(tasks/run-application/configure-pdb), "Pod Topology Spread Constraints"
(concepts/scheduling-eviction/topology-spread-constraints).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, disruptions_allowed, replicas, selects

ID = "workload-availability"
KINDS = ("Deployment", "StatefulSet")


def check(tree: RenderedTree) -> Iterator[Finding]:
    budgets = list(tree.manifests("PodDisruptionBudget"))
    for kind in KINDS:
        for doc in tree.manifests(kind):
            labels = dig(doc.data, "spec", "template", "metadata", "labels", default={}) or {}
            count = replicas(doc)
            mine = [pdb for pdb in budgets if pdb.ident.namespace == doc.ident.namespace
                    and selects(dig(pdb.data, "spec", "selector"), labels)]
            for pdb in mine:
                allowed = disruptions_allowed(dig(pdb.data, "spec"), count)
                if allowed == 0:
                    yield Finding(("spec",), f"allows no disruption of the {count} pod(s) of {doc.ident}: "
                                  "every node drain blocks on it",
                                  hint="use maxUnavailable: 1 (and no budget at all for a single replica)", doc=pdb)
                elif count > 1 and allowed is not None and allowed >= count:
                    yield Finding(("spec",), f"lets all {count} pods of {doc.ident} go at once", doc=pdb)
            if count < 2:
                continue
            if not mine:
                yield Finding(("spec", "replicas"), f"{count} replicas without a PodDisruptionBudget: a node "
                              "drain may evict all of them at once",
                              hint="render a policy/v1 PodDisruptionBudget with maxUnavailable: 1 selecting its pods",
                              doc=doc)
            if not _spreads(dig(doc.data, "spec", "template", "spec", default={}) or {}, labels):
                yield Finding(("spec", "template", "spec"), f"{count} replicas that may all land on one node",
                              hint="add a topologySpreadConstraints entry (or pod anti-affinity) selecting its pods",
                              doc=doc)


def _spreads(pod: dict[str, Any], labels: dict[str, Any]) -> bool:
    for constraint in pod.get("topologySpreadConstraints") or []:
        if isinstance(constraint, dict) and constraint.get("topologyKey") and \
                selects(constraint.get("labelSelector"), labels):
            return True
    anti = dig(pod, "affinity", "podAntiAffinity", default={}) or {}
    terms = list(anti.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
    terms += [dig(t, "podAffinityTerm") for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
    return any(isinstance(t, dict) and t.get("topologyKey") and selects(t.get("labelSelector"), labels) for t in terms)


