"""Checks that relate several fields of a spec. Each yields (path, severity, message, hint).

They read fields through `Fields`, which gives the validated value of a field (the model's
default when it is absent) and makes the check stop quietly when a field it reads failed
validation. So every check whose fields are valid runs, whatever else is wrong in the file: a
user sees every inconsistency at once instead of meeting a new one after each fix. Paths are
YAML paths; the caller adds file:line:col.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from gitopsgen.core.problems import Finding, Severity, YamlPath
from gitopsgen.facts import domain
from gitopsgen.spec.models import Environment, Retry


class Skip(Exception):
    """A field the check reads is invalid, or absent without a default: the check says nothing."""


_ABSENT = object()


class Fields:
    """Validated field values of a spec whose validation may have failed elsewhere.

    The models are strict (no conversion), so a field that passed validation has exactly the
    value the user wrote; an absent one has its model default."""

    def __init__(self, data: dict[str, Any], invalid: Iterable[YamlPath] = (),
                 root: type[BaseModel] = Environment) -> None:
        self._data = data
        self._invalid = [tuple(p) for p in invalid]
        self._root = root

    def _touches_invalid(self, path: YamlPath) -> bool:
        n = len(path)
        return any(bad[:n] == path or path[:len(bad)] == bad for bad in self._invalid)

    def _raw(self, path: YamlPath) -> Any:
        node: Any = self._data
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return _ABSENT
        return node

    def __call__(self, *path: str | int) -> Any:
        """The value at `path`, its default when absent; raises Skip if it cannot be trusted."""
        if self._touches_invalid(path):
            raise Skip
        value = self._raw(path)
        if value is not _ABSENT:
            return value
        for depth in range(1, len(path)):
            above = self._raw(path[:depth])
            if above is None or (above is _ABSENT and self._default(path[:depth]) is None):
                return None  # inside an optional section that is not set
        return self._default(path)

    def get(self, *path: str | int, default: Any = None) -> Any:
        try:
            return self(*path)
        except Skip:
            return default

    def has(self, *path: str | int) -> bool:
        """Whether the user set `path` (to something other than null); raises Skip if the
        mapping holding it is invalid."""
        if any(bad == path[:len(bad)] and len(bad) < len(path) for bad in self._invalid):
            raise Skip
        return self._raw(path) not in (_ABSENT, None)

    def _default(self, path: YamlPath) -> Any:
        from gitopsgen.spec.diagnostics import model_at

        parent = model_at(self._root, path[:-1], self._data)
        if parent is not None:
            for name, info in parent.model_fields.items():
                if path[-1] in (info.alias, name) and info.default is not PydanticUndefined:
                    default = info.default
                    return default.model_dump(by_alias=True) if isinstance(default, BaseModel) else default
        raise Skip


Check = Callable[[Fields], Iterator[Finding]]
CHECKS: list[Check] = []

E, W = Severity.ERROR, Severity.WARNING

# Environment variables the templates derive from the spec; a user value would silently fight them.
RESERVED_ENV_PREFIXES = ("SPRING_DATA_REDIS_", "SPRING_DATASOURCE_", "SPRING_SECURITY_OAUTH2_")


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def run(fields: Fields) -> Iterator[Finding]:
    """Every finding of every check that can run on `fields`."""
    for fn in CHECKS:
        try:
            yield from list(fn(fields))
        except Skip:
            continue


@check
def argocd_destination(f: Fields) -> Iterator[Finding]:
    """Argo CD: "application destination can't have both name and server defined" (docs/components.md §7)."""
    server, name = f("argocd", "destination", "server"), f("argocd", "destination", "name")
    if (server is None) == (name is None):
        yield Finding(("argocd", "destination", "server"), "needs exactly one of 'server' and 'name'", severity=E)


@check
def auth0_refresh_tokens(f: Fields) -> Iterator[Finding]:
    if "offline_access" not in f("app", "auth0", "scopes"):
        yield Finding(("app", "auth0", "scopes"),
                      "must include offline_access: Auth0 issues refresh tokens only for that scope", severity=E)


@check
def sentinel_counts(f: Fields) -> Iterator[Finding]:
    """docs/components.md §2; the operator's webhook rejects even sizes when enabled."""
    if f("redis", "mode") != "sentinel":
        return
    sentinels = f("redis", "sentinels")
    if sentinels % 2 == 0:
        yield Finding(("redis", "sentinels"), f"must be odd for leader election, got {sentinels}", severity=E)
    quorum = f("redis", "quorum")
    if quorum > sentinels:
        yield Finding(("redis", "quorum"), f"must be at most redis.sentinels ({sentinels}), got {quorum}", severity=E)


@check
def edge_components_present(f: Fields) -> Iterator[Finding]:
    """Each edge brings its own operator and DNS story; nothing of the other edge may linger."""
    edge = f("edge", "type")
    out: list[Finding] = []
    if edge == "cloudflare":
        if not f.has("externalDns"):
            out.append(Finding(("externalDns",), "is required with edge.type cloudflare", severity=E,
                               hint="External-DNS creates the proxied CNAME <tunnel-id>.cfargotunnel.com "
                                    "for the hostname"))
        if not f.has("charts", "externalDns"):
            out.append(Finding(("charts", "externalDns"), "is required with edge.type cloudflare", severity=E))
        if not f.has("app", "hostname"):
            out.append(Finding(("app", "hostname"), "is required with edge.type cloudflare", severity=E,
                               hint="the public hostname the tunnel serves, e.g. api.example.com"))
        if f.has("charts", "tailscaleOperator"):
            out.append(Finding(("charts", "tailscaleOperator"), "is only used with edge.type tailscale", severity=E))
    if edge == "tailscale":
        if f.has("externalDns"):
            out.append(Finding(("externalDns",), "is only used with edge.type cloudflare", severity=E,
                               hint="a tailnet host has no public DNS record"))
        if f.has("charts", "externalDns"):
            out.append(Finding(("charts", "externalDns"), "is only used with edge.type cloudflare", severity=E))
        if not f.has("charts", "tailscaleOperator"):
            out.append(Finding(("charts", "tailscaleOperator"), "is required with edge.type tailscale", severity=E))
        if f.has("app", "hostname"):
            where = f"{f.get('edge', 'hostname', default='<edge.hostname>')}." \
                    f"{f.get('edge', 'tailnet', default='<edge.tailnet>')}.ts.net"
            out.append(Finding(("app", "hostname"), "is not used with edge.type tailscale", severity=E,
                               hint=f"the API is reachable at {where}"))
    yield from out


@check
def hostname_inside_domain_filters(f: Fields) -> Iterator[Finding]:
    """External-DNS only manages names under its domain filters (docs/components.md §5)."""
    host = f("app", "hostname")
    filters = f("externalDns", "domainFilters")
    if host is None or filters is None:
        return
    if not any(host == d or host.endswith("." + d) for d in filters):
        yield Finding(("app", "hostname"), f"'{host}' is outside externalDns.domainFilters ({', '.join(filters)})",
                      severity=E, hint="External-DNS would never create its DNS record")


@check
def sentinel_quorum_majority(f: Fields) -> Iterator[Finding]:
    """A quorum below a majority lets a partitioned minority flag the master down (docs/components.md §2).
    Odd counts and quorum <= sentinels are `sentinel_counts`."""
    if f("redis", "mode") != "sentinel":
        return
    quorum, sentinels = f("redis", "quorum"), f("redis", "sentinels")
    if quorum <= sentinels // 2:
        yield Finding(("redis", "quorum"), f"{quorum} of {sentinels} sentinels is not a majority", severity=W,
                      hint=f"use {sentinels // 2 + 1} so a partitioned minority cannot declare the master down")


@check
def env_names_not_derived(f: Fields) -> Iterator[Finding]:
    """Variables derived from postgres/redis/auth0 cannot be overridden by hand."""
    out: list[Finding] = []
    sections = {}
    for section in ("env", "secrets"):
        names = f.get("app", section)
        if not isinstance(names, dict):
            continue
        sections[section] = names
        for name in names:
            if isinstance(name, str) and name.startswith(RESERVED_ENV_PREFIXES):
                out.append(Finding(("app", section, name), "is derived from the spec by gitopsgen", severity=E,
                                   hint="set postgres, redis or app.auth0 instead"))
    if len(sections) == 2:
        for name in sorted(set(sections["env"]) & set(sections["secrets"])):
            out.append(Finding(("app", "secrets", name), "is also set in app.env", severity=E))
    yield from out


@check
def names_do_not_collide(f: Fields) -> Iterator[Finding]:
    """Operators own Service names derived from their CRs (docs/components.md §1, §2); the API must not take one."""
    out: list[Finding] = []
    pg, redis = f("postgres", "clusterName"), f("redis", "name")
    app = f.get("app", "name")
    owned = {pg + s: "CloudNativePG" for s in domain.CNPG_SERVICE_SUFFIXES}
    owned |= {redis + s: "the Redis operator" for s in domain.redis_owned_suffixes()}
    if app in owned:
        out.append(Finding(("app", "name"), f"'{app}' is a Service name {owned[app]} creates", severity=E))
    if pg == redis:
        out.append(Finding(("redis", "name"), "must differ from postgres.clusterName", severity=E))
    yield from out


@check
def production_needs_backups(f: Fields) -> Iterator[Finding]:
    """CloudNativePG deletes the PVCs with the Cluster: without a backup, one deleted Application
    is a lost database (docs/components.md §1)."""
    if f("tier") == "production" and not f.has("postgres", "backup"):
        yield Finding(("postgres",), "has no backup in a production environment", severity=E,
                      hint="add postgres.backup with method barmanCloud (object store, WAL archive) or volumeSnapshot")


@check
def backup_charts_follow_the_method(f: Fields) -> Iterator[Finding]:
    """The Barman Cloud plugin chart needs cert-manager installed and ready first (chart README)."""
    out: list[Finding] = []
    method = f("postgres", "backup", "method") if f.has("postgres", "backup") else None
    barman = method == "barmanCloud"
    for key, what in (("certManager", "cert-manager"), ("barmanCloud", "the Barman Cloud plugin")):
        present = f.has("charts", key)
        if barman and not present:
            out.append(Finding(("charts", key), "is required with postgres.backup.method barmanCloud", severity=E,
                               hint=f"pin the chart of {what}"))
        if present and not barman:
            out.append(Finding(("charts", key), "is only used with postgres.backup.method barmanCloud", severity=E))
    if f.has("charts", "barmanCloud"):
        plugin, operator = f("charts", "barmanCloud", "namespace"), f("charts", "cloudnativePg", "namespace")
        if plugin != operator:
            # CNPG docs, cnpg_i.md: a standalone plugin runs "in the same namespace" as the operator.
            out.append(Finding(("charts", "barmanCloud", "namespace"),
                               f"must be the CloudNativePG operator's namespace ({operator})", severity=E,
                               hint="the operator only discovers plugins in its own namespace"))
    if method == "volumeSnapshot" and f("postgres", "instances") == 1 and not f("postgres", "backup", "online"):
        out.append(Finding(("postgres", "backup", "online"), "a cold snapshot of a single instance fences the primary",
                           severity=W, hint="use online: true, or add instances so a standby is snapshotted"))
    yield from out


@check
def production_ingress_has_two_controllers(f: Fields) -> Iterator[Finding]:
    """One NGINX pod is the only way in; a node drain would take the environment offline."""
    replicas = f("ingress", "replicas")
    if f("tier") == "production" and replicas is not None and replicas < 2:
        yield Finding(("ingress", "replicas"), f"must be at least 2 in production, got {replicas}", severity=E,
                      hint="one controller pod is a single point of failure for every request")


@check
def edge_controller_has_its_chart(f: Fields) -> Iterator[Finding]:
    """The chart of the chosen edge controller must be pinned."""
    controller = f("ingress", "controller")
    key = "nginxGatewayFabric" if controller == "nginx-gateway-fabric" else "ingressNginx"
    if not f.has("charts", key):
        other = "ingress.controller: ingress-nginx (retired upstream)" if key == "nginxGatewayFabric" else \
            "ingress.controller: nginx-gateway-fabric"
        yield Finding(("charts", key), f"is required with ingress.controller {controller}", severity=E,
                      hint=f"pin the {controller} chart (repoURL, chart, version, namespace, releaseName), "
                           f"or set {other}")


@check
def ingress_nginx_webhook_needs_the_pod_network(f: Fields) -> Iterator[Finding]:
    """ingress-nginx's admission webhook may be reached only from outside the pod network (the API
    server): its NetworkPolicy needs to know that network."""
    if f("ingress", "controller") == "ingress-nginx" and f("network", "podCidr") is None:
        yield Finding(("network", "podCidr"), "is required with ingress.controller ingress-nginx", severity=E,
                      hint="the pod network, e.g. 10.244.0.0/16: no pod may reach the controller's admission webhook")


@check
def production_protects_data(f: Fields) -> Iterator[Finding]:
    if f("tier") == "production" and f("protectData") is False:
        yield Finding(("protectData",), "is off in production: a pruned or deleted Application deletes the database",
                      severity=W)


@check
def forwarded_headers_need_the_pod_network(f: Fields) -> Iterator[Finding]:
    """NGINX trusts X-Forwarded-For / CF-Connecting-IP from the tunnel only when it knows which
    addresses the tunnel connects from (NginxProxy trustedAddresses, ingress-nginx proxy-real-ip-cidr)."""
    if f("edge", "type") == "cloudflare" and f("network", "podCidr") is None:
        yield Finding(("network", "podCidr"), "is required with edge.type cloudflare", severity=E,
                      hint="the pod network, e.g. 10.244.0.0/16: NGINX trusts forwarded headers only from it")


@check
def production_names_the_pod_network(f: Fields) -> Iterator[Finding]:
    """The pod network differs per cluster (kubeadm/flannel 10.244.0.0/16, GKE, EKS and AKS each
    their own): production does not render on a guess. With the cloudflare edge the check above
    already asks for it, so one cause gives one finding."""
    if f("tier") == "production" and f("edge", "type") != "cloudflare" and f("network", "podCidr") is None:
        yield Finding(("network", "podCidr"), "is required in production", severity=E,
                      hint="the cluster's pod network (kube-controller-manager --cluster-cidr, e.g. "
                      "`kubectl get nodes -o jsonpath='{.items[*].spec.podCIDR}'` shows each node's share): "
                      "the API's HTTPS egress excludes it")


@check
def observability_needs_the_prometheus_operator(f: Fields) -> Iterator[Finding]:
    """PodMonitors and PrometheusRules are Prometheus Operator kinds: without its CRDs the data
    Application cannot sync them."""
    if f("observability", "enabled") is True and f("observability", "prometheusOperator") is not True:
        yield Finding(("observability", "enabled"), "needs observability.prometheusOperator: true", severity=E,
                      hint="PodMonitor and PrometheusRule are Prometheus Operator kinds: the cluster must run it")


@check
def redis_memory_has_a_limit(f: Fields) -> Iterator[Finding]:
    """`maxmemory` is a share of the memory limit; without a limit Redis never evicts and the pod
    is BestEffort."""
    if f("redis", "resources", "limits", "memory") is None:
        yield Finding(("redis", "resources"), "needs limits.memory: maxmemory is derived from it", severity=E,
                      hint="e.g. resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 256Mi}}")


def retry_budget_seconds(retry: Retry) -> float:
    """Seconds Argo CD keeps retrying a failed sync: the sum of the capped exponential backoff."""
    base, cap = _seconds(retry.backoff_duration), _seconds(retry.backoff_max_duration)
    return float(sum(min(base * retry.backoff_factor ** n, cap) for n in range(retry.limit)))


def _seconds(duration: str) -> float:
    import re

    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|s|m|h)", duration))


@check
def retry_outlasts_a_slow_operator(f: Fields) -> Iterator[Finding]:
    """After the last retry Argo CD never retries the same commit; waves do not wait for child
    health unless argocd-cm restores it, so a slow operator needs a long retry budget."""
    budget = retry_budget_seconds(Retry.model_validate(f("argocd", "retry"), by_alias=True, by_name=False))
    if budget < 30 * 60:
        yield Finding(("argocd", "retry"), f"gives up after {budget / 60:.0f} minutes", severity=W,
                      hint="an operator whose webhook takes longer to start leaves its custom resources unsynced "
                      "until the next commit; e.g. limit: 20, backoffMaxDuration: 10m")
