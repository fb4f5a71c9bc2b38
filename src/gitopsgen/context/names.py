"""What `gitopsgen.context.derive` derives from a spec: the `Names` the templates lay out.

Plain frozen dataclasses, no logic: every value is decided in `gitopsgen.context.derive.derive`.
Templates read them as `names.<part>.<attribute>` (snake_case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitopsgen.facts import domain
from gitopsgen.spec.models import ChartSource


@dataclass(frozen=True)
class Spread:
    """A topology spread constraint's knobs (pods of one workload over nodes or zones)."""

    topology_key: str
    when_unsatisfiable: str
    """DoNotSchedule (required) or ScheduleAnyway (preferred)."""


@dataclass(frozen=True)
class PostgresNames:
    cluster: str
    image: str
    rw_service: str
    ro_service: str
    app_secret: str
    database: str
    owner: str
    host: str
    port: int
    jdbc_url: str
    enable_pdb: bool
    update_method: str
    """`primaryUpdateMethod`: switchover to a replica when there is one, else restart."""
    anti_affinity: str | None
    """`affinity.podAntiAffinityType` when instances must spread, None for a single instance."""
    resources: dict[str, Any] | None
    sync_options: str | None

    @property
    def pod_labels(self) -> dict[str, str]:
        """The labels CloudNativePG puts on every instance pod of the Cluster."""
        return {domain.CNPG_CLUSTER_LABEL: self.cluster}
    """`argocd.argoproj.io/sync-options` of the Cluster (deletion protection), None when unprotected."""


@dataclass(frozen=True)
class BackupNames:
    method: str
    """barmanCloud or volumeSnapshot."""
    scheduled_backup: str
    schedule: str
    plugin: str | None
    """The CNPG-I plugin name (barmanCloud)."""
    object_store: str | None
    """The ObjectStore the WAL archiver writes to (barmanCloud)."""
    credentials: SecretRef | None
    """The Secret with the object store credentials (barmanCloud)."""
    sync_options: str | None


@dataclass(frozen=True)
class RedisNames:
    name: str
    mode: str
    image: str
    sentinel_image: str | None
    secret: str
    secret_key: str
    sentinel_secret_key: str | None
    """Key of the sentinels' own password in the Redis Secret (sentinel mode)."""
    host: str
    """Standalone: the Redis Service. Sentinel: the operator's master-only Service."""
    port: int
    master_service: str | None
    sentinel_service: str | None
    """The sentinels' StatefulSet and headless Service, `<name>-sentinel` (sentinel mode only)."""
    sentinel_nodes: str | None
    """Every sentinel pod by its stable DNS name, comma-separated (Spring's sentinel.nodes)."""
    sentinel_port: int
    master_group_name: str | None
    cluster_size: int
    sentinels: int
    sentinel_pdb_min_available: int | None
    """Sentinels kept up during voluntary disruptions (sentinel mode only)."""
    resources: dict[str, Any] | None
    sentinel_resources: dict[str, Any] | None
    max_memory_percent: int
    max_memory_bytes: int
    max_memory_policy: str
    config_map: str
    """ConfigMap with the extra redis.conf lines (maxmemory, eviction policy)."""
    config_key: str
    sync_options: str | None

    @property
    def pod_labels(self) -> dict[str, str]:
        """The `app` label the operator puts on the Redis pods (standalone or replication)."""
        return {"app": domain.redis_pod_app_label("Redis", self.name)}

    @property
    def sentinel_pod_labels(self) -> dict[str, str] | None:
        """The `app` label of the sentinel pods (sentinel mode only)."""
        if self.mode != "sentinel":
            return None
        return {"app": domain.redis_pod_app_label("RedisSentinel", self.name)}


@dataclass(frozen=True)
class IngressNames:
    class_name: str
    release: str
    namespace: str
    controller_service: str
    controller_url: str
    controller_labels: dict[str, str]
    replicas: int
    spread: Spread | None
    """Topology spread of the controller pods, None for a single pod."""
    forwarded_headers: dict[str, str] | None
    """ingress-nginx ConfigMap settings that trust the tunnel's forwarded headers (cloudflare edge)."""
    controller: str = "ingress-nginx"
    """nginx-gateway-fabric or ingress-nginx."""
    chart_key: str = "ingressNginx"
    """The controller's chart under `charts` in the spec."""
    gateway: str | None = None
    """The platform Gateway (nginx-gateway-fabric); controller_service is its data plane."""
    gateway_api_version: str | None = None
    control_plane_labels: dict[str, str] | None = None
    """nginx-gateway-fabric: the control-plane pods (the data plane's agents connect to them)."""
    trusted_cidr: str | None = None
    """nginx-gateway-fabric: the only addresses NGINX takes the client address from (the pod network)."""
    resources: dict[str, dict[str, str]] | None = None
    """nginx-gateway-fabric: the NGINX data-plane container's resources."""


@dataclass(frozen=True)
class EdgeNames:
    type: str
    public_host: str
    """The host users reach the API at."""
    tunnel_hosts: tuple[str, ...]
    """Every host the edge routes to the ingress controller: the API's, then the additional ones."""
    tunnel_target: str | None
    tailscale_fqdn: str | None
    namespace: str
    """Where the edge's pods run (cloudflared, or the Tailscale operator's proxies)."""
    pod_labels: dict[str, str] | None
    """Labels of the edge pods that may reach the ingress controller; None: any pod of the namespace."""
    replicas: int
    pdb: bool
    spread: Spread | None
    """Topology spread of the edge pods (cloudflared), None for fewer than two."""


@dataclass(frozen=True)
class AppNames:
    name: str
    service: str
    secret: str
    """Secret (from an ExternalSecret) holding the API's own secrets."""
    host: str
    issuer_uri: str
    resources: dict[str, Any] | None
    labels: dict[str, str]
    pdb: bool
    """A PodDisruptionBudget (maxUnavailable 1) exists when 2+ replicas can share the load."""
    spread: Spread | None
    """Topology spread of the API pods, None for a single replica."""


@dataclass(frozen=True)
class SecretRef:
    """A Secret that an ExternalSecret creates and something else consumes."""

    name: str
    namespace: str
    remote: tuple[tuple[str, str], ...]
    """(key in the Secret, Doppler secret name), sorted by key."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.remote)

    @property
    def data(self) -> dict[str, str]:
        return dict(self.remote)


def secret_ref(name: str, namespace: str, remote: dict[str, str]) -> SecretRef:
    return SecretRef(name, namespace, tuple(sorted(remote.items())))


@dataclass(frozen=True)
class SecretNames:
    store: str
    """The ClusterSecretStore every ExternalSecret uses."""
    redis: SecretRef
    app: SecretRef
    tunnel_credentials: SecretRef | None
    """cloudflared credentials JSON (cloudflare edge), mounted as credentials.json."""
    cloudflare_api_token: SecretRef | None
    """External-DNS CF_API_TOKEN (cloudflare edge)."""
    tailscale_oauth: SecretRef | None
    """The Tailscale operator's precreated `operator-oauth` Secret (tailscale edge)."""
    backup: SecretRef | None
    """Object store credentials of the Barman Cloud plugin."""
    namespaces: tuple[str, ...]
    """Every namespace an ExternalSecret writes into, sorted: the store's `conditions` and
    Reloader's watch list."""


@dataclass(frozen=True)
class Components:
    """Which optional components this environment renders (each is a set of templates)."""

    cloudflared: bool
    external_dns: bool
    tailscale_operator: bool
    cert_manager: bool
    barman_cloud: bool


@dataclass(frozen=True)
class NamespacePlan:
    name: str
    pod_security: str
    """Pod Security Standard enforced (audit and warn are `restricted` everywhere)."""
    sync_options: str | None


@dataclass(frozen=True)
class NetworkNames:
    pod_cidr: str | None
    dns_namespace: str
    dns_pod_labels: dict[str, str]
    api_server_ports: tuple[int, ...]
    cnpg_operator_namespace: str
    cnpg_operator_labels: dict[str, str]
    cnpg_status_port: int
    redis_operator_namespace: str
    ingress_http_port: int
    ingress_webhook_port: int


@dataclass(frozen=True)
class ArgoNames:
    namespace: str
    project: str
    """The environment's AppProject: every child Application."""
    root_project: str
    """The root Application's own AppProject: it may only create Applications and AppProjects."""
    apps: dict[str, str]
    """Component -> Application name, unique across environments (`<env>-<component>`)."""
    destination: dict[str, str]
    """The environment's cluster: {"server": url} or {"name": cluster}."""
    management_server: str
    """Argo CD's own cluster, where the root deploys Applications and AppProjects."""
    source_repos: tuple[str, ...]
    namespaces: tuple[str, ...]
    """Namespaces the project lets Applications deploy into."""
    cluster_resources: tuple[dict[str, str], ...]
    """clusterResourceWhitelist entries (Namespaces by name)."""
    tier: str
    target_revision: str = "main"
    """The Git revision the environment's Applications follow (argocd.targetRevision, default by tier)."""
    health_key: str = domain.APPLICATION_HEALTH_KEY
    health_lua: str = domain.APPLICATION_HEALTH_LUA
    """The argocd-cm entry that makes sync waves wait for child Applications' health."""


@dataclass(frozen=True)
class Names:
    app: AppNames
    postgres: PostgresNames
    backup: BackupNames | None
    redis: RedisNames
    ingress: IngressNames
    edge: EdgeNames
    secrets: SecretNames
    components: Components
    argocd: ArgoNames
    namespaces: tuple[NamespacePlan, ...]
    network: NetworkNames
    spread: Spread
    reloader_namespaces: tuple[str, ...]
    charts: dict[str, ChartSource] = field(default_factory=dict)
    """Every chart this environment installs, by spec key."""
    observability: bool = False
    """Render PodMonitors, PrometheusRules, the Redis exporter and the scraper's NetworkPolicy rules
    (observability.enabled, default: production with the Prometheus Operator)."""
    protect_data: bool = False
    """`protectData` (default: on in production): stateful objects, their namespaces, the Secrets
    holding credentials and the CRDs of data objects survive a pruned or deleted Application."""
