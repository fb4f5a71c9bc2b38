"""Checks that relate several fields of a spec. Each yields (path, severity, message, hint).

They run after the per-field validation passed, on the typed model, and all of them run: a user
sees every inconsistency of a file at once. Paths are YAML paths; the caller adds file:line:col.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gitopsgen import domain
from gitopsgen.problems import Severity
from gitopsgen.spec.models import CloudflareEdge, Environment, RedisSentinel, TailscaleEdge

Finding = tuple[tuple[str | int, ...], Severity, str, str | None]
Check = Callable[[Environment], Iterator[Finding]]
CHECKS: list[Check] = []

E, W = Severity.ERROR, Severity.WARNING

# Environment variables the templates derive from the spec; a user value would silently fight them.
RESERVED_ENV_PREFIXES = ("SPRING_DATA_REDIS_", "SPRING_DATASOURCE_", "SPRING_SECURITY_OAUTH2_")


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


@check
def edge_components_present(spec: Environment) -> Iterator[Finding]:
    """Each edge brings its own operator and DNS story; nothing of the other edge may linger."""
    if isinstance(spec.edge, CloudflareEdge):
        if spec.external_dns is None:
            yield (("externalDns",), E, "is required with edge.type cloudflare",
                   "External-DNS creates the proxied CNAME <tunnel-id>.cfargotunnel.com for the hostname")
        if spec.charts.external_dns is None:
            yield (("charts", "externalDns"), E, "is required with edge.type cloudflare", None)
        if spec.app.hostname is None:
            yield (("app", "hostname"), E, "is required with edge.type cloudflare",
                   "the public hostname the tunnel serves, e.g. api.example.com")
        if spec.charts.tailscale_operator is not None:
            yield (("charts", "tailscaleOperator"), E, "is only used with edge.type tailscale", None)
    if isinstance(spec.edge, TailscaleEdge):
        if spec.external_dns is not None:
            yield (("externalDns",), E, "is only used with edge.type cloudflare",
                   "a tailnet host has no public DNS record")
        if spec.charts.external_dns is not None:
            yield (("charts", "externalDns"), E, "is only used with edge.type cloudflare", None)
        if spec.charts.tailscale_operator is None:
            yield (("charts", "tailscaleOperator"), E, "is required with edge.type tailscale", None)
        if spec.app.hostname is not None:
            yield (("app", "hostname"), E, "is not used with edge.type tailscale",
                   f"the API is reachable at {spec.edge.hostname}.{spec.edge.tailnet}.ts.net")


@check
def hostname_inside_domain_filters(spec: Environment) -> Iterator[Finding]:
    """External-DNS only manages names under its domain filters (DOMAIN X22)."""
    if spec.external_dns is None or spec.app.hostname is None:
        return
    host = spec.app.hostname
    filters = spec.external_dns.domain_filters
    if not any(host == d or host.endswith("." + d) for d in filters):
        yield (("app", "hostname"), E, f"'{host}' is outside externalDns.domainFilters ({', '.join(filters)})",
               "External-DNS would never create its DNS record")


@check
def sentinel_quorum_majority(spec: Environment) -> Iterator[Finding]:
    """A quorum below a majority lets a partitioned minority flag the master down (DOMAIN X8).
    Odd counts and quorum <= sentinels are field rules of the model."""
    redis = spec.redis
    if not isinstance(redis, RedisSentinel):
        return
    if redis.quorum <= redis.sentinels // 2:
        yield (("redis", "quorum"), W,
               f"{redis.quorum} of {redis.sentinels} sentinels is not a majority",
               f"use {redis.sentinels // 2 + 1} so a partitioned minority cannot declare the master down")


@check
def env_names_not_derived(spec: Environment) -> Iterator[Finding]:
    """Variables derived from postgres/redis/auth0 cannot be overridden by hand."""
    for section in ("env", "secrets"):
        for name in getattr(spec.app, section):
            if name.startswith(RESERVED_ENV_PREFIXES):
                yield (("app", section, name), E, "is derived from the spec by gitopsgen",
                       "set postgres, redis or app.auth0 instead")
    for name in set(spec.app.env) & set(spec.app.secrets):
        yield (("app", "secrets", name), E, "is also set in app.env", None)


@check
def names_do_not_collide(spec: Environment) -> Iterator[Finding]:
    """Operators own Service names derived from their CRs (DOMAIN §1, §2); the API must not take one."""
    pg, redis = spec.postgres.cluster_name, spec.redis.name
    owned = {pg + s: "CloudNativePG" for s in domain.CNPG_SERVICE_SUFFIXES}
    owned |= {redis + s: "the Redis operator" for s in domain.redis_owned_suffixes()}
    if spec.app.name in owned:
        yield (("app", "name"), E, f"'{spec.app.name}' is a Service name {owned[spec.app.name]} creates", None)
    if pg == redis:
        yield (("redis", "name"), E, "must differ from postgres.clusterName", None)
