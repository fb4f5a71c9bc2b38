"""Services and Ingresses as the API server validates them (kubernetes/kubernetes
`pkg/apis/core/validation/validation.go`, `ValidateService` and `validateServicePort`;
`pkg/apis/networking/validation/validation.go`, `validateIngressBackend`):

* a Service port's `port` and a non-zero `nodePort` are port numbers ("must be between 1 and
  65535, inclusive"), `targetPort` a port number or an IANA port name; with more than one port
  each needs a name ("Required value"), names are DNS-1123 labels and unique; the selector's keys
  and values are label keys and values;
* an Ingress backend's `service.port.number` is a port number, `service.port.name` a port name;
  a rule's host and a TLS host are DNS names (`*.` allowed in front), not IP addresses
  (`validateIngressRules`, `validateIngressTLS`); an Exact or Prefix path is absolute
  (`validateHTTPIngressPath`: "must be an absolute path").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.core.problems import YamlPath as Path
from gitopsgen.validate import k8snames as names
from gitopsgen.validate.semantic import pods, selectors
from gitopsgen.validate.semantic.errors import duplicate, invalid, items, mapping, required


def service(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    ports = items(spec.get("ports"))
    seen: set[str] = set()
    for index, entry in enumerate(ports):
        port, at = mapping(entry), (*path, "ports", index)
        name = port.get("name")
        if len(ports) > 1 and not name:
            yield required((*at, "name"))
        elif isinstance(name, str) and name:
            for error in names.is_dns1123_label(name):
                yield invalid((*at, "name"), name, error)
            if name in seen:
                yield duplicate((*at, "name"), name)
            seen.add(name)
        yield from pods.port_number(port.get("port"), (*at, "port"))
        if port.get("nodePort") not in (None, 0):
            yield from pods.port_number(port.get("nodePort"), (*at, "nodePort"))
        if port.get("targetPort") not in (None, 0, ""):
            yield from pods.port_number_or_name(port.get("targetPort"), (*at, "targetPort"))
    yield from selectors.labels(spec.get("selector"), (*path, "selector"))


def _backend(backend: Any, path: Path) -> Iterator[Finding]:
    port = mapping(mapping(mapping(backend).get("service")).get("port"))
    yield from pods.port_number(port.get("number"), (*path, "service", "port", "number"))
    if isinstance(port.get("name"), str) and port["name"]:
        for error in pods.port_name_errors(port["name"]):
            yield invalid((*path, "service", "port", "name"), port["name"], error)


def _host(host: Any, path: Path) -> Iterator[Finding]:
    """`validateIngressRules`: a DNS name (a leading `*.` allowed), never an IP address."""
    if not isinstance(host, str) or not host:
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        yield invalid(path, host, "must be a DNS name, not an IP address")
        return
    check = names.is_dns1123_subdomain(host[2:]) if host.startswith("*.") else names.is_dns1123_subdomain(host)
    for error in check:
        yield invalid(path, host, error)


def ingress(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    if spec.get("defaultBackend") is not None:
        yield from _backend(spec["defaultBackend"], (*path, "defaultBackend"))
    for r, entry in enumerate(items(spec.get("rules"))):
        rule = mapping(entry)
        yield from _host(rule.get("host"), (*path, "rules", r, "host"))
        for p, item in enumerate(items(mapping(rule.get("http")).get("paths"))):
            at = (*path, "rules", r, "http", "paths", p)
            http_path = mapping(item).get("path")
            # validateHTTPIngressPath: Exact and Prefix paths are absolute
            if mapping(item).get("pathType") in ("Exact", "Prefix") and isinstance(http_path, str) \
                    and not http_path.startswith("/"):
                yield invalid((*at, "path"), http_path, "must be an absolute path")
            yield from _backend(mapping(item).get("backend"), (*at, "backend"))
    for t, tls in enumerate(items(spec.get("tls"))):
        for h, host in enumerate(items(mapping(tls).get("hosts"))):
            yield from _host(host, (*path, "tls", t, "hosts", h))
