"""Kubernetes' IP and CIDR CEL library (`celnet`): the examples of apiserver `pkg/cel/library/ip.go`
and `cidr.go`, and Gateway API's `self.all(h, !isIP(h))` on the real HTTPRoute CRD (../shared)."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.core.problems import Severity
from gitopsgen.validate import cel, celenv


def run(expression: str) -> Any:
    compiled = celenv.compile_rule(expression)
    assert compiled.program is not None, compiled.unsupported
    value = compiled.program.eval(data={"self": None})
    return value.value()


@pytest.mark.parametrize(("expression", "expected"), [
    ("isIP('127.0.0.1')", True), ("isIP('::1')", True), ("isIP('127.0.0.256')", False), ("isIP(':::1')", False),
    ("isIP('010.0.0.1')", False), ("isIP('::ffff:1.2.3.4')", False), ("isIP('fe80::1%eth0')", False),
    ("isIP('api.example.com')", False),
    ("ip.isCanonical('127.0.0.1')", True), ("ip.isCanonical('2001:db8::abcd')", True),
    ("ip.isCanonical('2001:DB8::ABCD')", False), ("ip.isCanonical('2001:db8::0:0:0:abcd')", False),
    ("ip('127.0.0.1').family()", 4), ("ip('::1').family()", 6),
    ("ip('0.0.0.0').isUnspecified()", True), ("ip('::').isUnspecified()", True),
    ("ip('127.0.0.1').isUnspecified()", False),
    ("ip('127.0.0.1').isLoopback()", True), ("ip('::1').isLoopback()", True),
    ("ip('2001:db8::abcd').isLoopback()", False),
    ("ip('224.0.0.1').isLinkLocalMulticast()", True), ("ip('224.0.1.1').isLinkLocalMulticast()", False),
    ("ip('ff02::1').isLinkLocalMulticast()", True), ("ip('fd00::1').isLinkLocalMulticast()", False),
    ("ip('169.254.169.254').isLinkLocalUnicast()", True), ("ip('fe80::1').isLinkLocalUnicast()", True),
    ("ip('fd80::1').isLinkLocalUnicast()", False),
    ("ip('192.168.0.1').isGlobalUnicast()", True), ("ip('255.255.255.255').isGlobalUnicast()", False),
    ("ip('2001:db8::abcd').isGlobalUnicast()", True), ("ip('ff00::1').isGlobalUnicast()", False),
    ("string(ip('2001:DB8::0:0:0:ABCD'))", "2001:db8::abcd"),
    ("ip('2001:db8::abcd') == ip('2001:DB8::ABCD')", True),
    ("isCIDR('192.168.0.0/16')", True), ("isCIDR('::1/128')", True), ("isCIDR('192.168.0.0/33')", False),
    ("isCIDR('::1/129')", False), ("isCIDR('10.0.0.0')", False), ("isCIDR('10.0.0.0/08')", False),
    ("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", True),
    ("cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))", False),
    ("cidr('192.168.0.0/24').containsIP('192.168.0.1')", True),
    ("cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))", True),
    ("cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))", False),
    ("cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')", True),
    ("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", True), ("cidr('::1/128').ip().family()", 6),
    ("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", True),
    ("cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()", False),
    ("cidr('192.168.0.0/16').prefixLength()", 16), ("cidr('::1/128').prefixLength()", 128),
    ("string(cidr('192.168.0.1/24').masked())", "192.168.0.0/24"),
])
def test_library_examples(expression: str, expected: Any) -> None:
    assert run(expression) == expected


def test_a_conversion_error_fails_the_rule_with_the_library_message() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "address": {"type": "string", "x-kubernetes-validations": [{"rule": "ip(self).family() == 4"}]}}}}}
    result = cel.evaluate({"spec": {"address": "fe80::1%eth0"}}, schema)
    assert [(f.path, f.severity) for f in result.findings] == [(("spec", "address"), Severity.ERROR)]
    assert 'with zone value is not allowed' in result.findings[0].message
    assert cel.evaluate({"spec": {"address": "10.0.0.1"}}, schema).findings == []


def test_gateway_api_tls_route_hostnames_refuse_an_ip() -> None:
    from admission_support import crd_schemas

    schema = crd_schemas().get(("gateway.networking.k8s.io", "v1", "TLSRoute"))
    if schema is None:
        pytest.skip("Gateway API CRDs not found beside the checkout")
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "TLSRoute",
             "metadata": {"name": "api", "namespace": "api"},
             "spec": {"parentRefs": [{"name": "edge", "namespace": "edge"}], "hostnames": ["api.example.com"],
                      "rules": [{"backendRefs": [{"name": "api", "port": 443}]}]}}
    assert [f for f in cel.evaluate(route, schema).findings if f.severity is Severity.ERROR] == []
    route["spec"]["hostnames"] = ["10.0.0.1"]
    found = [f for f in cel.evaluate(route, schema).findings if f.severity is Severity.ERROR]
    assert [(f.path, f.message) for f in found] == [(("spec", "hostnames"), "Hostnames cannot contain an IP")]
