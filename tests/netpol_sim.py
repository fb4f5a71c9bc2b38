"""A small evaluator of Kubernetes NetworkPolicy egress and ingress, as the API documents it.

A pod's egress is allowed to a destination when no policy of its namespace with `Egress` in
`policyTypes` selects it, or when one that does has a rule whose `to` admits the destination
(no `to`: anywhere) and whose `ports` admit the port and protocol (no `ports`: every port).
Destinations are either an IP address (matched by `ipBlock`, minus its `except`) or a pod
(matched by `podSelector` in the policy's namespace, or `namespaceSelector` [+ `podSelector`]).
Only `matchLabels` selectors are modelled: the rendered policies use nothing else.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from gitopsgen.tree.manifests import RenderedTree


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)


def _selects(selector: Any, labels: dict[str, str]) -> bool:
    if not isinstance(selector, dict):
        return False
    assert set(selector) <= {"matchLabels"}, f"selector not modelled: {selector}"
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def _peer_admits(peer: dict[str, Any], policy_ns: str, dest: Pod | str) -> bool:
    if "ipBlock" in peer:
        if not isinstance(dest, str):
            return False  # pod-to-pod traffic is matched by selectors; ipBlock is for outside addresses
        address = ipaddress.ip_address(dest)
        block = peer["ipBlock"]
        network = ipaddress.ip_network(block["cidr"])
        if address.version != network.version or address not in network:
            return False
        return not any(address in ipaddress.ip_network(e) for e in block.get("except") or []
                       if ipaddress.ip_network(e).version == address.version)
    if isinstance(dest, str):
        return False
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": dest.namespace}):
            return False
    elif dest.namespace != policy_ns:
        return False
    return "podSelector" not in peer or _selects(peer["podSelector"], dest.labels)


def _ports_admit(ports: Any, port: int, protocol: str) -> bool:
    if not ports:
        return True
    return any(p.get("port") in (None, port) and p.get("protocol", "TCP") == protocol for p in ports)


def egress_allowed(tree: RenderedTree, source: Pod, dest: Pod | str, port: int, protocol: str = "TCP") -> bool:
    """Whether `source` may open a connection to `dest` (a pod or an IP address) on port/protocol."""
    isolating = []
    for policy in tree.manifests("NetworkPolicy"):
        spec = policy.data.get("spec") or {}
        if policy.ident.namespace == source.namespace and "Egress" in (spec.get("policyTypes") or []) and \
                _selects(spec.get("podSelector"), source.labels):
            isolating.append((policy.ident.namespace, spec))
    if not isolating:
        return True
    for namespace, spec in isolating:
        for rule in spec.get("egress") or []:
            peers = rule.get("to")
            if (not peers or any(_peer_admits(p, namespace, dest) for p in peers)) and \
                    _ports_admit(rule.get("ports"), port, protocol):
                return True
    return False


def ingress_allowed(tree: RenderedTree, source: Pod, dest: Pod, port: int, protocol: str = "TCP") -> bool:
    """Whether `dest` accepts a connection from `source` on port/protocol (the destination side only)."""
    isolating = []
    for policy in tree.manifests("NetworkPolicy"):
        spec = policy.data.get("spec") or {}
        if policy.ident.namespace == dest.namespace and "Ingress" in (spec.get("policyTypes") or []) and \
                _selects(spec.get("podSelector"), dest.labels):
            isolating.append((policy.ident.namespace, spec))
    if not isolating:
        return True
    for namespace, spec in isolating:
        for rule in spec.get("ingress") or []:
            peers = rule.get("from")
            if (not peers or any(_peer_admits(p, namespace, source) for p in peers)) and \
                    _ports_admit(rule.get("ports"), port, protocol):
                return True
    return False
