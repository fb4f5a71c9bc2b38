"""Kubernetes' IP and CIDR CEL libraries (apiserver `pkg/cel/library/ip.go`, `cidr.go`).

Gateway API's hostname rules (`self.all(h, !isIP(h))`) and any CRD checking addresses use them:
`isIP`, `ip`, `ip.isCanonical`, `family`, `isUnspecified`, `isLoopback`, `isLinkLocalMulticast`,
`isLinkLocalUnicast`, `isGlobalUnicast`, `string(ip)`; `isCIDR`, `cidr`, `containsIP`,
`containsCIDR`, `ip()` of a CIDR, `masked`, `prefixLength`, `string(cidr)`.

Our CEL runtime has no opaque types, so an IP value is its canonical text (`netip.Addr.String()`)
and a CIDR value its `netip.Prefix.String()` (address as written, canonical, then `/bits`).
Equality and `string()` then behave as in Kubernetes: two IPs are equal when their addresses are,
two CIDRs when address and prefix length are. The one difference: the type checker lets these
member functions apply to any string, where Kubernetes accepts only `ip(...)`/`cidr(...)` values;
a rule the API server accepts behaves the same here.

Parsing follows Go's `net/netip` and the library's extra refusals: no leading zeros in IPv4
octets, no IPv6 zone, no IPv4-mapped IPv6 address; a CIDR's prefix length is plain decimal within
the family's width (host bits after the prefix are allowed; `masked()` clears them).
"""

from __future__ import annotations

import ipaddress
from typing import Any

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class CelNetError(ValueError):
    """A conversion error, with the library's message (the rule fails with it)."""


def parse_ip(raw: str) -> Address:
    """`parseIPAddr` of ip.go."""
    if "%" in raw:
        if _parses(raw.partition("%")[0]):
            raise CelNetError(f'IP address "{raw}" with zone value is not allowed')
        raise CelNetError(f'IP Address "{raw}" parse error during conversion from string')
    try:
        address = ipaddress.ip_address(raw)
    except ValueError as error:
        raise CelNetError(f'IP Address "{raw}" parse error during conversion from string: {error}') from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise CelNetError(f'IPv4-mapped IPv6 address "{raw}" is not allowed')
    return address


def _parses(raw: str) -> bool:
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        return False
    return True


def parse_cidr(raw: str) -> tuple[Address, int]:
    """`parseCIDR` of cidr.go (Go's `netip.ParsePrefix`): address and prefix length."""
    address_text, slash, bits_text = raw.partition("/")
    failure = CelNetError(f'network address parse error during conversion from string: network address parse '
                          f'error during conversion from string: netip.ParsePrefix("{raw}"): bad prefix')
    if not slash or "%" in address_text:
        raise failure
    try:
        address = ipaddress.ip_address(address_text)
    except ValueError:
        raise failure from None
    width = 32 if address.version == 4 else 128
    if not bits_text.isdigit() or not bits_text.isascii() or (len(bits_text) > 1 and bits_text[0] == "0"):
        raise failure
    bits = int(bits_text)
    if bits > width:
        raise failure
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise CelNetError(f'network address parse error during conversion from string: IPv4-mapped IPv6 address '
                          f'"{raw}" is not allowed')
    return address, bits


def _cidr_text(address: Address, bits: int) -> str:
    return f"{address}/{bits}"


def is_ip(raw: str) -> bool:
    try:
        parse_ip(raw)
    except CelNetError:
        return False
    return True


def to_ip(raw: str) -> str:
    return str(parse_ip(raw))


def ip_is_canonical(raw: str) -> bool:
    return str(parse_ip(raw)) == raw


def family(value: str) -> int:
    return parse_ip(value).version


def is_unspecified(value: str) -> bool:
    return parse_ip(value).is_unspecified


def is_loopback(value: str) -> bool:
    return parse_ip(value).is_loopback


def is_link_local_multicast(value: str) -> bool:
    # Go: 224.0.0.0/24 and ff02::/16 (the link-local multicast scope)
    address = parse_ip(value)
    if address.version == 4:
        return address in ipaddress.ip_network("224.0.0.0/24")
    return (int(address) >> 112) & 0xFF0F == 0xFF02


def is_link_local_unicast(value: str) -> bool:
    return parse_ip(value).is_link_local


def is_global_unicast(value: str) -> bool:
    # Go's netip: not unspecified, IPv4 broadcast, loopback, multicast or link-local unicast
    address = parse_ip(value)
    if address.version == 4 and address == ipaddress.IPv4Address("255.255.255.255"):
        return False
    return not (address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local)


def is_cidr(raw: str) -> bool:
    try:
        parse_cidr(raw)
    except CelNetError:
        return False
    return True


def to_cidr(raw: str) -> str:
    return _cidr_text(*parse_cidr(raw))


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    address, bits = parse_cidr(value)
    return ipaddress.ip_network(f"{address}/{bits}", strict=False)


def contains_ip(cidr: str, ip: str) -> bool:
    address = parse_ip(ip)
    network = _network(cidr)
    return address.version == network.version and address in network


def contains_cidr(cidr: str, other: str) -> bool:
    network = _network(cidr)
    inner = _network(other)
    return inner.version == network.version and inner.subnet_of(network)  # type: ignore[arg-type]


def cidr_ip(cidr: str) -> str:
    return str(parse_cidr(cidr)[0])


def masked(cidr: str) -> str:
    return str(_network(cidr))


def prefix_length(cidr: str) -> int:
    return parse_cidr(cidr)[1]


def declarations(cel: Any) -> list[Any]:
    """The library's functions for `cel.NewEnv(functions=...)` (overload ids as in Kubernetes)."""
    t = cel.Type
    s = t.STRING

    def decl(name: str, *overloads: tuple[str, Any, list[Any], Any, bool]) -> Any:
        return cel.FunctionDecl(name, [cel.Overload(oid, result, params, is_member=member, impl=impl)
                                       for oid, result, params, impl, member in overloads])

    return [
        decl("isIP", ("is_ip", t.BOOL, [s], is_ip, False)),
        decl("ip", ("string_to_ip", s, [s], to_ip, False), ("cidr_ip", s, [s], cidr_ip, True)),
        decl("ip.isCanonical", ("ip_is_canonical", t.BOOL, [s], ip_is_canonical, False)),
        decl("family", ("ip_family", t.INT, [s], family, True)),
        decl("isUnspecified", ("ip_is_unspecified", t.BOOL, [s], is_unspecified, True)),
        decl("isLoopback", ("ip_is_loopback", t.BOOL, [s], is_loopback, True)),
        decl("isLinkLocalMulticast", ("ip_is_link_local_multicast", t.BOOL, [s], is_link_local_multicast, True)),
        decl("isLinkLocalUnicast", ("ip_is_link_local_unicast", t.BOOL, [s], is_link_local_unicast, True)),
        decl("isGlobalUnicast", ("ip_is_global_unicast", t.BOOL, [s], is_global_unicast, True)),
        decl("isCIDR", ("is_cidr", t.BOOL, [s], is_cidr, False)),
        decl("cidr", ("string_to_cidr", s, [s], to_cidr, False)),
        decl("containsIP", ("cidr_contains_ip", t.BOOL, [s, s], contains_ip, True)),
        decl("containsCIDR", ("cidr_contains_cidr", t.BOOL, [s, s], contains_cidr, True)),
        decl("masked", ("cidr_masked", s, [s], masked, True)),
        decl("prefixLength", ("cidr_prefix_length", t.INT, [s], prefix_length, True)),
    ]
