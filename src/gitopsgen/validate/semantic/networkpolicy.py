"""NetworkPolicies as the API server validates them (kubernetes/kubernetes
`pkg/apis/networking/validation/validation.go`, `ValidateNetworkPolicySpec`,
`ValidateNetworkPolicyPort`, `ValidateNetworkPolicyPeer`, `ValidateIPBlock`; CIDR parsing from
`pkg/apis/core/validation/ips.go`, `IsValidCIDRForLegacyField`):

* the pod and namespace selectors are valid label selectors;
* a port is a port number or name; `endPort` needs a numeric `port` and is at least it;
* a peer sets something ("must specify a peer"), and an `ipBlock` stands alone;
* `ipBlock.cidr` and each `except` are CIDRs ("must be a valid CIDR value, (e.g. 10.9.8.0/24 or
  2001:db8::/64)"), each `except` a strict subset of `cidr`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.core.problems import YamlPath as Path
from gitopsgen.validate.semantic import pods, selectors
from gitopsgen.validate.semantic.errors import forbidden, invalid, is_int, items, mapping, required

CIDR_ERROR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def cidr(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def ip_block(block: Any, path: Path) -> Iterator[Finding]:
    block = mapping(block)
    value = block.get("cidr")
    if not value:
        yield required((*path, "cidr"))
        return
    network = cidr(value)
    if network is None:
        yield invalid((*path, "cidr"), value, CIDR_ERROR)
        return
    for index, text in enumerate(items(block.get("except"))):
        at = (*path, "except", index)
        excepted = cidr(text)
        if excepted is None:
            yield invalid(at, text, CIDR_ERROR)
        elif excepted.version != network.version or excepted.prefixlen <= network.prefixlen \
                or not excepted.subnet_of(network):  # type: ignore[arg-type]
            yield invalid(at, text, "must be a strict subset of `cidr`")


def _port(port: Any, path: Path) -> Iterator[Finding]:
    port = mapping(port)
    number, end = port.get("port"), port.get("endPort")
    if number is not None:
        yield from pods.port_number_or_name(number, (*path, "port"))
    if end is not None:
        if not is_int(number):
            yield required((*path, "port"), "must specify `port` to set `endPort`"
                           if number is None else "must be a numerical port if `endPort` is set")
        elif is_int(end) and end < number:
            yield invalid((*path, "endPort"), end, "must be greater than or equal to `port`")


def _peer(peer: Any, path: Path) -> Iterator[Finding]:
    peer = mapping(peer)
    given = [k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None]
    if not given:
        yield required(path, "must specify a peer")
    elif "ipBlock" in given and len(given) > 1:
        yield forbidden(path, "may not specify both ipBlock and another peer")
    for key in ("podSelector", "namespaceSelector"):
        yield from selectors.check(peer.get(key), (*path, key))
    if peer.get("ipBlock") is not None:
        yield from ip_block(peer["ipBlock"], (*path, "ipBlock"))


def network_policy(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    yield from selectors.check(spec.get("podSelector"), (*path, "podSelector"))
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for r, entry in enumerate(items(spec.get(direction))):
            rule, at = mapping(entry), (*path, direction, r)
            for p, port in enumerate(items(rule.get("ports"))):
                yield from _port(port, (*at, "ports", p))
            for p, peer in enumerate(items(rule.get(peers))):
                yield from _peer(peer, (*at, peers, p))
