"""A pod spec as the API server validates it (kubernetes/kubernetes `pkg/apis/core/validation/validation.go`):

* `validateContainerCommon` / `validateContainers`: every container name (containers,
  initContainers, ephemeralContainers) is a DNS-1123 label (`ValidateDNS1123Label`) and unique
  across them (`field.Duplicate`);
* `validateContainerPorts`: `containerPort` and a non-zero `hostPort` are port numbers
  (`IsValidPortNum`: "must be between 1 and 65535, inclusive"), a port `name` is an IANA service
  name (`IsValidPortName`) and unique in the container;
* `ValidateEnv`: a name is required and, from Kubernetes 1.32 (`RelaxedEnvironmentVariableValidation`
  on by default), any printable ASCII but `=` (`IsRelaxedEnvVarName`), before that a C-like
  identifier with `-` and `.` (`IsEnvVarName`);
* `ValidateResourceRequirements`: every quantity parses (`resource.ParseQuantity`) and is not
  negative; a request is at most its limit ("must be less than or equal to cpu limit of 1"), and
  equal to it for resources that cannot be overcommitted (hugepages, extended resources);
* `validateProbe` / `validateHandler`: exactly one handler ("must specify a handler type", "may
  not specify more than 1 handler type"), non-negative timings, a handler port a port number or
  name (`ValidatePortNumOrName`);
* quantities elsewhere in the pod: `emptyDir.sizeLimit`, pod `overhead` and `resources`,
  ephemeral volume claim templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.core.problems import YamlPath as Path
from gitopsgen.validate import k8snames as names
from gitopsgen.validate.semantic import quantity
from gitopsgen.validate.semantic.errors import (
    IS_NEGATIVE,
    chdir_prefix,
    duplicate,
    forbidden,
    invalid,
    is_int,
    items,
    mapping,
    nonnegative,
    required,
)

PORT_RANGE = "must be between 1 and 65535, inclusive"
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
"""`validateHandler`'s order: the error names the handlers after the first one set."""
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+")


def _minor(version: str) -> int:
    try:
        return int(version.split(".")[1])
    except (IndexError, ValueError):
        return 99


def port_number(value: Any, path: Path) -> Iterator[Finding]:
    """`IsValidPortNum` on an integer port."""
    if is_int(value) and not 1 <= value <= 65535:
        yield invalid(path, value, PORT_RANGE)


def port_name_errors(name: str) -> list[str]:
    """`IsValidPortName` (apimachinery `pkg/util/validation/validation.go`)."""
    errors = []
    if len(name) > 15:
        errors.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.fullmatch(name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not any("a" <= c <= "z" for c in name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def port_number_or_name(value: Any, path: Path) -> Iterator[Finding]:
    """`ValidatePortNumOrName`."""
    if isinstance(value, str):
        for error in port_name_errors(value):
            yield invalid(path, value, error)
    else:
        yield from port_number(value, path)


def quantities(values: Any, path: Path) -> Iterator[Finding]:
    """Each value of a resource list parses as a quantity and is not negative."""
    for name, value in mapping(values).items():
        yield from one_quantity(value, (*path, name))


def one_quantity(value: Any, path: Path) -> Iterator[Finding]:
    if value is None:
        return
    parsed = quantity.parse(value)
    if parsed is None:
        yield invalid(path, value, quantity.FORMAT_WRONG,
                      hint="a quantity is a number with an optional suffix and no space: 500m, 0.5, 128Mi, 1G")
    elif parsed < 0:
        yield invalid(path, value, IS_NEGATIVE)


def _overcommit_allowed(resource: str) -> bool:
    # helper.IsOvercommitAllowed: native resources (no domain, or kubernetes.io/) except hugepages
    native = "/" not in resource or resource.split("/", 1)[0].endswith("kubernetes.io")
    return native and not resource.startswith("hugepages-")


def resources(value: Any, path: Path) -> Iterator[Finding]:
    """`ValidateResourceRequirements`."""
    value = mapping(value)
    limits, requests = mapping(value.get("limits")), mapping(value.get("requests"))
    yield from quantities(limits, (*path, "limits"))
    yield from quantities(requests, (*path, "requests"))
    for name, request in requests.items():
        if name not in limits:
            continue
        wanted, limit = quantity.parse(request), quantity.parse(limits[name])
        if wanted is None or limit is None:
            continue
        shown_limit = limits[name] if isinstance(limits[name], str) else str(limits[name])
        if wanted != limit and not _overcommit_allowed(str(name)):
            yield invalid((*path, "requests"), request, f"must be equal to {name} limit of {shown_limit}")
        elif wanted > limit:
            yield invalid((*path, "requests"), request, f"must be less than or equal to {name} limit of {shown_limit}",
                          hint=f"lower the {name} request or raise its limit")


def env(value: Any, path: Path, version: str) -> Iterator[Finding]:
    """`ValidateEnv`."""
    relaxed = _minor(version) >= 32
    for index, entry in enumerate(items(value)):
        variable = mapping(entry)
        name, at = variable.get("name"), (*path, index, "name")
        if name is None or name == "":
            yield required(at)
        elif isinstance(name, str):
            if relaxed:
                if any(ord(c) > 127 or not c.isprintable() or c == "=" for c in name):
                    yield invalid(at, name, "a valid environment variable name must consist only of printable "
                                  "ASCII characters other than '='")
            else:
                if not _ENV_NAME.fullmatch(name):
                    yield invalid(at, name, "a valid environment variable name must consist of alphabetic characters, "
                                  "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name', or "
                                  "'MY_ENV.NAME', or 'MyEnvName1', regex used for validation is "
                                  "'[-._a-zA-Z][-._a-zA-Z0-9]*')")
                for error in chdir_prefix(name):
                    yield invalid(at, name, error)
        source = mapping(variable.get("valueFrom"))
        if variable.get("value") not in (None, "") and source:
            yield invalid((*path, index, "valueFrom"), "",
                          "may not be specified when `value` is not empty")
        if len([k for k, v in source.items() if v is not None]) > 1:
            yield invalid((*path, index, "valueFrom"), "", "may not have more than one field specified at a time")


def probe(value: Any, path: Path) -> Iterator[Finding]:
    """`validateProbe` and `validateHandler`."""
    if not isinstance(value, dict):
        return
    given = [h for h in HANDLERS if value.get(h) is not None]
    if not given:
        yield required(path, "must specify a handler type")
    for extra in given[1:]:
        yield forbidden((*path, extra), "may not specify more than 1 handler type")
    for handler in ("httpGet", "tcpSocket"):
        port = mapping(value.get(handler)).get("port")
        yield from port_number_or_name(port, (*path, handler, "port"))
    grpc_port = mapping(value.get("grpc")).get("port")
    yield from port_number(grpc_port, (*path, "grpc", "port"))
    yield from nonnegative(value, path, "initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                           "successThreshold", "failureThreshold")


def container(value: dict[str, Any], path: Path, version: str) -> Iterator[Finding]:
    name = value.get("name")
    if isinstance(name, str) and name:
        for error in names.is_dns1123_label(name):
            yield invalid((*path, "name"), name, error, hint="container names are DNS-1123 labels: lower case "
                          "letters, digits and '-'")
    seen_names: set[str] = set()
    for index, entry in enumerate(items(value.get("ports"))):
        port, at = mapping(entry), (*path, "ports", index)
        yield from port_number(port.get("containerPort"), (*at, "containerPort"))
        if port.get("hostPort") not in (None, 0):
            yield from port_number(port.get("hostPort"), (*at, "hostPort"))
        port_name = port.get("name")
        if isinstance(port_name, str) and port_name:
            for error in port_name_errors(port_name):
                yield invalid((*at, "name"), port_name, error)
            if port_name in seen_names:
                yield duplicate((*at, "name"), port_name)
            seen_names.add(port_name)
    yield from env(value.get("env"), (*path, "env"), version)
    yield from resources(value.get("resources"), (*path, "resources"))
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        yield from probe(value.get(kind), (*path, kind))
    lifecycle = mapping(value.get("lifecycle"))
    for hook in ("postStart", "preStop"):
        handler = lifecycle.get(hook)
        if isinstance(handler, dict) and not any(handler.get(h) is not None for h in (*HANDLERS, "sleep")):
            yield required((*path, "lifecycle", hook), "must specify a handler type")


def pod_spec(spec: Any, path: Path, version: str) -> Iterator[Finding]:
    """`ValidatePodSpec`, the parts above."""
    if not isinstance(spec, dict):
        return
    seen: dict[str, str] = {}
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for index, item in enumerate(items(spec.get(group))):
            if not isinstance(item, dict):
                continue
            at = (*path, group, index)
            name = item.get("name")
            if isinstance(name, str) and name:
                if seen.get(name, group) != group:  # within one list, the list-map layer says it
                    yield duplicate((*at, "name"), name)
                seen.setdefault(name, group)
            yield from container(item, at, version)
    yield from nonnegative(spec, path, "terminationGracePeriodSeconds")
    if is_int(spec.get("activeDeadlineSeconds")) and spec["activeDeadlineSeconds"] <= 0:
        yield invalid((*path, "activeDeadlineSeconds"), spec["activeDeadlineSeconds"],
                      "must be between 1 and 2147483647, inclusive")
    yield from quantities(spec.get("overhead"), (*path, "overhead"))
    yield from resources(spec.get("resources"), (*path, "resources"))
    for index, entry in enumerate(items(spec.get("volumes"))):
        volume, at = mapping(entry), (*path, "volumes", index)
        yield from one_quantity(mapping(volume.get("emptyDir")).get("sizeLimit"), (*at, "emptyDir", "sizeLimit"))
        claim = mapping(mapping(mapping(volume.get("ephemeral")).get("volumeClaimTemplate")).get("spec"))
        yield from resources(claim.get("resources"), (*at, "ephemeral", "volumeClaimTemplate", "spec", "resources"))


def pod_template(template: Any, path: Path, version: str) -> Iterator[Finding]:
    """A pod template's labels (`ValidateLabels`) and spec."""
    from gitopsgen.validate.semantic.selectors import labels

    template = mapping(template)
    yield from labels(mapping(template.get("metadata")).get("labels"), (*path, "metadata", "labels"))
    yield from pod_spec(template.get("spec"), (*path, "spec"), version)
