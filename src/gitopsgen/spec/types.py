"""Constrained string types for specs, each with a message a user can act on.

Pydantic's own pattern errors print the regular expression; ours say what the value must look
like. Every type also carries its JSON Schema (pattern + description) so `gitopsgen spec-schema` gives
editors the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError


def _constrained(
    name: str, pattern: str, description: str, *, max_length: int | None = None,
    extra: Callable[[str], str | None] | None = None,
) -> Any:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if max_length is not None and len(value) > max_length:
            raise PydanticCustomError(
                name, "must be at most {max} characters long, got {length}",
                {"max": max_length, "length": len(value)},
            )
        if not regex.fullmatch(value):
            raise PydanticCustomError(name, "must be " + description)
        if extra is not None and (problem := extra(value)):
            raise PydanticCustomError(name, problem)
        return value

    schema: dict[str, Any] = {"type": "string", "pattern": f"^(?:{pattern})$", "description": description}
    if max_length is not None:
        schema["maxLength"] = max_length
    return Annotated[str, AfterValidator(check), WithJsonSchema(schema)]


_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"

DnsLabel = _constrained(
    "dns_label", _LABEL,
    "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
    max_length=63,
)
DnsSubdomain = _constrained(
    "dns_subdomain", rf"{_LABEL}(\.{_LABEL})*",
    "a DNS-1123 subdomain: dot-separated lowercase labels of letters, digits and '-'",
    max_length=253,
)


def _labels_short(value: str) -> str | None:
    long = [label for label in value.split(".") if len(label) > 63]
    return f"label '{long[0]}' is longer than 63 characters" if long else None


Hostname = _constrained(
    "hostname", rf"{_LABEL}(\.{_LABEL})+",
    "a fully qualified lowercase hostname such as api.example.com (no scheme, port, path or wildcard)",
    max_length=253, extra=_labels_short,
)

DopplerKey = _constrained(
    "doppler_key", r"[A-Z][A-Z0-9_]*",
    "the NAME of a Doppler secret in UPPER_SNAKE_CASE (e.g. REDIS_PASSWORD); secret values never "
    "go into a spec",
    max_length=256,
)
EnvVarName = _constrained(
    "env_var_name", r"[A-Za-z_][A-Za-z0-9_]*",
    "an environment variable name (letters, digits and '_', not starting with a digit)",
)

# Kubernetes resource quantity (k8s.io/apimachinery/pkg/api/resource): a number and a suffix.
Quantity = _constrained(
    "quantity", r"(\d+(\.\d+)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?",
    "a Kubernetes quantity such as 500m, 1, 512Mi or 10Gi",
)


def _positive_quantity(value: str) -> str | None:
    number = re.match(r"[\d.]+", value)
    return "must be greater than zero" if number and float(number.group()) == 0 else None


StorageSize = _constrained(
    "storage_size", r"(\d+(\.\d+)?)([KMGTPE]i|[kMGTPE])",
    "a storage size with a unit, such as 5Gi or 500Mi", extra=_positive_quantity,
)

# Go duration as used by ESO, Argo CD and Spring Boot's simple format: 30s, 10m, 1h, 1h30m.
Duration = _constrained(
    "duration", r"(\d+(ms|s|m|h))+", "a duration such as 30s, 10m, 1h or 1h30m",
)

SemVer = _constrained(
    "semver", r"v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?",
    "an exact version such as 0.29.0 or v1.21.1 (no ranges: pin what Argo CD installs)",
)

_IMAGE_NAME = r"[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*"


def _image_pinned(value: str) -> str | None:
    if "@sha256:" in value:
        return None
    tag = value.rsplit("/", 1)[-1].partition(":")[2]
    if not tag:
        return "needs a tag or a digest (e.g. repo/image:1.2.3); an untagged image means :latest"
    if tag == "latest":
        return "must not use the tag 'latest': pin a version so rollouts are reproducible"
    return None


Image = _constrained(
    "image",
    _IMAGE_NAME + r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?",
    "a container image reference such as ghcr.io/org/app:1.2.3",
    extra=_image_pinned,
)
ImageRepository = _constrained(
    "image_repository", _IMAGE_NAME, "an image repository without tag, such as quay.io/opstree/redis",
)
ImageTag = _constrained(
    "image_tag", r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "an image tag such as v7.0.15",
    extra=lambda v: "must not be 'latest': pin a version" if v == "latest" else None,
)

PostgresVersion = _constrained(
    "postgres_version", r"\d{2}(\.\d+)?",
    "a PostgreSQL version such as 17.5 (quote it in YAML: \"17.5\"); CloudNativePG reads the major "
    "version from this image tag",
)
PostgresIdentifier = _constrained(
    "postgres_identifier", r"[a-z_][a-z0-9_]*",
    "a PostgreSQL identifier: lowercase letters, digits and '_', not starting with a digit",
    max_length=63,
)

Uuid = _constrained(
    "uuid", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "a lowercase UUID such as 6ff42ae2-765d-4adf-8112-31c55c1551ef",
)

RepoUrl = _constrained(
    "repo_url", r"(https://|http://|ssh://|oci://)[^\s]+|git@[^\s:]+:[^\s]+",
    "a repository URL such as https://github.com/org/repo.git or git@github.com:org/repo.git",
)
ServerUrl = _constrained(
    "server_url", r"https?://[^\s/]+(/[^\s]*)?", "a Kubernetes API server URL such as https://kubernetes.default.svc",
    max_length=2048,
)
HelmRepoUrl = _constrained(
    "helm_repo_url", r"https://[^\s]+|oci://[^\s]+",
    "a Helm repository URL (https:// or oci://)",
)

KubernetesVersion = _constrained(
    "kubernetes_version", r"1\.\d+", "a Kubernetes minor version such as \"1.33\" (quote it in YAML)",
)
GitRevision = _constrained(
    "git_revision", r"[A-Za-z0-9_][A-Za-z0-9_./-]*", "a branch, tag or commit such as main or v1.2.3",
)
TailnetName = _constrained(
    "tailnet", r"[a-z0-9-]+", "the tailnet's DNS name part, e.g. tail1234 for *.tail1234.ts.net",
)
AnnotationPrefix = _constrained(
    "annotation_prefix", rf"{_LABEL}(\.{_LABEL})*/", "an annotation prefix ending in '/'",
)

# IPv4 or IPv6 CIDR block, e.g. the pod network 10.244.0.0/16.
_IPV4 = r"(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}"


def _cidr_valid(value: str) -> str | None:
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        return f"is not a network address: {exc}"
    return None


Cidr = _constrained(
    "cidr", rf"{_IPV4}/(3[0-2]|[12]?\d)|[0-9a-fA-F:]+/(12[0-8]|1[01]\d|[1-9]?\d)",
    "a CIDR block such as 10.244.0.0/16 (the network address, then the prefix length)",
    extra=_cidr_valid,
)

def _address_valid(value: str) -> str | None:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError as exc:
        return f"is not an IP address: {exc}"
    return None


# A single IPv4 or IPv6 address, e.g. NodeLocal DNSCache's 169.254.20.10.
IpAddress = _constrained(
    "ip_address", rf"{_IPV4}|[0-9a-fA-F:]+",
    "an IPv4 or IPv6 address such as 169.254.20.10", extra=_address_valid,
)

# CloudNativePG ScheduledBackup: robfig/cron with a leading seconds field (six fields).
CnpgSchedule = _constrained(
    "cnpg_schedule", r"\S+( \S+){5}",
    "a six-field cron schedule with seconds first, e.g. \"0 0 3 * * *\" (CloudNativePG's format, "
    "not the five-field Kubernetes CronJob one)",
)

# Barman Cloud destination: an object store URL.
ObjectStorePath = _constrained(
    "object_store_path", r"(s3|gs|https)://[^\s/]+(/[^\s]*)?",
    "an object store URL such as s3://bucket/path (s3://, gs:// or https:// for Azure)",
)
HttpsUrl = _constrained("https_url", r"https://[^\s/]+(/[^\s]*)?", "an https:// URL")

# Barman retention: a positive number and d(ays), w(eeks) or m(onths) (ObjectStore CRD pattern).
RetentionPolicy = _constrained(
    "retention_policy", r"[1-9][0-9]*[dwm]", "a retention such as 30d, 4w or 3m",
)
