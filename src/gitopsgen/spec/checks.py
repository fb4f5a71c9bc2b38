"""Checks that relate several fields of a spec. Each yields (path, severity, message, hint).

They run after the per-field validation passed, on the typed model, and all of them run: a user
sees every inconsistency of a file at once. Paths are YAML paths; the caller adds file:line:col.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gitopsgen import domain
from gitopsgen.problems import Severity
from gitopsgen.spec.models import (
    BarmanCloudBackup,
    CloudflareEdge,
    Environment,
    RedisSentinel,
    Retry,
    TailscaleEdge,
    VolumeSnapshotBackup,
)

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


@check
def production_needs_backups(spec: Environment) -> Iterator[Finding]:
    """CloudNativePG deletes the PVCs with the Cluster: without a backup, one deleted Application
    is a lost database (DOMAIN section 1, Corrections)."""
    if spec.tier == "production" and spec.postgres.backup is None:
        yield (("postgres",), E, "has no backup in a production environment",
               "add postgres.backup with method barmanCloud (object store, WAL archive) or volumeSnapshot")


@check
def backup_charts_follow_the_method(spec: Environment) -> Iterator[Finding]:
    """The Barman Cloud plugin chart needs cert-manager installed and ready first (chart README)."""
    barman = isinstance(spec.postgres.backup, BarmanCloudBackup)
    charts = {"certManager": (spec.charts.cert_manager, "cert-manager"),
              "barmanCloud": (spec.charts.barman_cloud, "the Barman Cloud plugin")}
    for key, (chart, what) in charts.items():
        if barman and chart is None:
            yield (("charts", key), E, "is required with postgres.backup.method barmanCloud",
                   f"pin the chart of {what}")
        if chart is not None and not barman:
            yield (("charts", key), E, "is only used with postgres.backup.method barmanCloud", None)
    plugin, operator = spec.charts.barman_cloud, spec.charts.cloudnative_pg
    if plugin is not None and plugin.namespace != operator.namespace:
        # CNPG docs, cnpg_i.md: a standalone plugin runs "in the same namespace" as the operator.
        yield (("charts", "barmanCloud", "namespace"), E,
               f"must be the CloudNativePG operator's namespace ({operator.namespace})",
               "the operator only discovers plugins in its own namespace")
    backup = spec.postgres.backup
    if isinstance(backup, VolumeSnapshotBackup) and spec.postgres.instances == 1 and not backup.online:
        yield (("postgres", "backup", "online"), W, "a cold snapshot of a single instance fences the primary",
               "use online: true, or add instances so a standby is snapshotted")


@check
def production_ingress_has_two_controllers(spec: Environment) -> Iterator[Finding]:
    """One ingress-nginx pod is the only way in; a node drain would take the environment offline."""
    if spec.tier == "production" and spec.ingress.replicas is not None and spec.ingress.replicas < 2:
        yield (("ingress", "replicas"), E, f"must be at least 2 in production, got {spec.ingress.replicas}",
               "one controller pod is a single point of failure for every request")


@check
def production_protects_data(spec: Environment) -> Iterator[Finding]:
    if spec.tier == "production" and spec.protect_data is False:
        yield (("protectData",), W, "is off in production: a pruned or deleted Application deletes the database",
               None)


@check
def forwarded_headers_need_the_pod_network(spec: Environment) -> Iterator[Finding]:
    """ingress-nginx trusts X-Forwarded-* / CF-Connecting-IP from the tunnel only when it knows
    which addresses the tunnel connects from (proxy-real-ip-cidr)."""
    if isinstance(spec.edge, CloudflareEdge) and spec.network.pod_cidr is None:
        yield (("network", "podCidr"), E, "is required with edge.type cloudflare",
               "the pod network, e.g. 10.244.0.0/16: ingress-nginx trusts forwarded headers only from it")


@check
def redis_memory_has_a_limit(spec: Environment) -> Iterator[Finding]:
    """`maxmemory` is a share of the memory limit; without a limit Redis never evicts and the pod
    is BestEffort."""
    if spec.redis.resources.limits.memory is None:
        yield (("redis", "resources"), E, "needs limits.memory: maxmemory is derived from it",
               "e.g. resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 256Mi}}")


def retry_budget_seconds(retry: Retry) -> float:
    """Seconds Argo CD keeps retrying a failed sync: the sum of the capped exponential backoff."""
    base, cap = _seconds(retry.backoff_duration), _seconds(retry.backoff_max_duration)
    return float(sum(min(base * retry.backoff_factor ** n, cap) for n in range(retry.limit)))


def _seconds(duration: str) -> float:
    import re

    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|s|m|h)", duration))


@check
def retry_outlasts_a_slow_operator(spec: Environment) -> Iterator[Finding]:
    """After the last retry Argo CD never retries the same commit (Argo CD issue #3781 context:
    waves do not wait for child health unless argocd-cm restores it)."""
    budget = retry_budget_seconds(spec.argocd.retry)
    if budget < 30 * 60:
        yield (("argocd", "retry"), W, f"gives up after {budget / 60:.0f} minutes",
               "an operator whose webhook takes longer to start leaves its custom resources unsynced "
               "until the next commit; e.g. limit: 20, backoffMaxDuration: 10m")
