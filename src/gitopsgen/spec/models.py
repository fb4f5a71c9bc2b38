"""The environment spec: what a platform engineer writes in `environments/<env>.yaml`.

Keys are camelCase like the Kubernetes objects they end up in. Models are strict (`17.5` is not a
string, `"2"` is not an integer) and closed (`extra="forbid"`: a typo is an error with a
suggestion, never a silently ignored key). Rules that relate several fields, even of one model,
live in `gitopsgen.spec.checks` rather than in model validators: those would only run when every
field of their model is valid, while the checks run whenever the fields they read are.

Secrets never appear here: fields ending in `Key` name a Doppler secret, and External Secrets
brings its value into the cluster.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from gitopsgen.spec.types import (
    AnnotationPrefix,
    Cidr,
    CnpgSchedule,
    DnsLabel,
    DnsSubdomain,
    DopplerKey,
    Duration,
    EnvVarName,
    GitRevision,
    HelmRepoUrl,
    Hostname,
    HttpsUrl,
    Image,
    ImageRepository,
    ImageTag,
    IpAddress,
    KubernetesVersion,
    ObjectStorePath,
    PostgresIdentifier,
    PostgresVersion,
    Quantity,
    RepoUrl,
    RetentionPolicy,
    SemVer,
    ServerUrl,
    StorageSize,
    TailnetName,
    Uuid,
)


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )


# --- shared building blocks --------------------------------------------------------------------


class ResourceList(Model):
    cpu: Quantity | None = None
    memory: Quantity | None = None


class Resources(Model):
    """Pod resource requests and limits, as in a Kubernetes container spec."""

    requests: ResourceList = ResourceList()
    limits: ResourceList = ResourceList()


class Storage(Model):
    size: StorageSize
    """Volume size, e.g. 10Gi. CloudNativePG refuses to shrink it later."""
    storage_class: DnsSubdomain | None = None
    """StorageClass name; omitted means the cluster's default class."""


class ChartSource(Model):
    """A Helm chart that Argo CD installs, pinned to an exact version."""

    repo_url: HelmRepoUrl = Field(alias="repoURL")
    chart: DnsLabel
    version: SemVer
    namespace: DnsLabel
    """Namespace the chart is installed into."""
    release_name: DnsLabel
    """Helm release name, written into the Application (helm.releaseName): Argo CD would otherwise
    use the Application name, so renaming an Application would rename (reinstall) the release."""


# --- Argo CD ---------------------------------------------------------------------------------


class Destination(Model):
    server: ServerUrl | None = None
    """API server URL, e.g. https://kubernetes.default.svc (exactly one of server/name)."""
    name: DnsSubdomain | None = None
    """Cluster name as registered in Argo CD (exactly one of server/name)."""


class Retry(Model):
    """How often Argo CD retries a failed sync of the same commit (syncPolicy.retry).

    The defaults give up after about 2.5 hours (10s, 20s, ... then every 10m, 20 times): long
    enough for an operator that takes minutes to serve its webhook, short enough to surface a
    commit that can never sync. `refresh` makes a retry pick up a newer commit."""

    limit: Annotated[int, Field(ge=0, le=100)] = 20
    backoff_duration: Duration = "10s"
    backoff_factor: Annotated[int, Field(ge=1, le=10)] = 2
    backoff_max_duration: Duration = "10m"
    refresh: bool = True


class ArgoCD(Model):
    namespace: DnsLabel = "argocd"
    """Namespace of the Argo CD that deploys this environment (Applications and AppProjects live there)."""
    repo_url: RepoUrl = Field(alias="repoURL")
    """The Git repository that holds this tree (Argo CD reads rendered/<env>/ from it)."""
    target_revision: GitRevision | None = None
    """The Git branch, tag or commit this environment's Applications follow. Default: `main` in
    development, `production` (a protected branch) in production, so that a merge to main reaches
    development only and production moves when someone promotes (merges main into `production`,
    or moves a tag) after reviewing the rendered diff. The cross-promotion rule refuses a
    production environment following the same moving ref as a development one."""
    destination: Destination
    """The cluster this environment runs on, as Argo CD knows it: `server` (API URL) or cluster `name`.
    The root Application and the AppProjects always go to Argo CD's own cluster."""
    retry: Retry = Retry()
    version: SemVer = "3.3.0"
    """The oldest Argo CD release that will reconcile this tree. Argo CD drops fields its CRDs do
    not know without a word (3.2 drops AppProject clusterResourceWhitelist[].name, so the project
    would allow every Namespace; 3.1 drops syncPolicy.retry.refresh); the argocd-version rule
    refuses fields newer than this. Default: what the templates need."""


class Charts(Model):
    """Every operator chart, pinned. Versions and repositories: docs/components.md."""

    cloudnative_pg: ChartSource
    redis_operator: ChartSource
    external_secrets: ChartSource
    reloader: ChartSource
    nginx_gateway_fabric: ChartSource | None = None
    """Required when `ingress.controller` is nginx-gateway-fabric (the default)."""
    ingress_nginx: ChartSource | None = None
    """Required when `ingress.controller` is ingress-nginx (retired upstream in March 2026)."""
    external_dns: ChartSource | None = None
    """Required when `edge.type` is cloudflare."""
    tailscale_operator: ChartSource | None = None
    """Required when `edge.type` is tailscale."""
    cert_manager: ChartSource | None = None
    """Required with postgres.backup.method barmanCloud (the plugin's TLS certificates)."""
    barman_cloud: ChartSource | None = None
    """The Barman Cloud plugin for CloudNativePG; required with postgres.backup.method barmanCloud."""


# --- the API ---------------------------------------------------------------------------------


class Auth0(Model):
    domain: Hostname
    """Auth0 tenant domain, e.g. example.eu.auth0.com (issuer is https://<domain>/)."""
    audience: Annotated[str, Field(min_length=1, max_length=256)]
    """API identifier configured in Auth0 (the access token's `aud`)."""
    client_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{16,64}$")]
    """Public client id of the application (not a secret)."""
    scopes: Annotated[list[Annotated[str, Field(pattern=r"^[a-z_:.]+$")]], Field(min_length=1)]
    """OAuth scopes the client requests; include offline_access for refresh tokens."""
    client_secret_key: DopplerKey
    """Doppler secret holding the Auth0 client secret."""


class App(Model):
    name: DnsLabel = "example-api"
    image: Image
    replicas: Annotated[int, Field(ge=1, le=50)]
    port: Annotated[int, Field(ge=1024, le=65535)] = 8080
    management_port: Annotated[int, Field(ge=1024, le=65535)] = 8081
    """Spring Boot actuator port (management.server.port): probes only, never behind the Ingress."""
    hostname: Hostname | None = None
    """Public hostname (cloudflare edge). With the tailscale edge the tailnet names the host."""
    resources: Resources = Resources()
    cache_ttl: Duration
    """Time-to-live of cached entries in Redis (StringRedisTemplate)."""
    auth0: Auth0
    env: dict[EnvVarName, Annotated[str, Field(max_length=1024)]] = {}
    """Extra non-secret environment variables."""
    secrets: dict[EnvVarName, DopplerKey] = {}
    """Extra secret environment variables: variable name -> Doppler secret name."""


# --- data layer ------------------------------------------------------------------------------


class S3Credentials(Model):
    access_key_id_key: DopplerKey
    """Doppler secret holding the access key id."""
    secret_access_key_key: DopplerKey
    """Doppler secret holding the secret access key."""
    region_key: DopplerKey | None = None
    """Doppler secret holding the region, when the endpoint does not imply one."""


class BarmanCloudBackup(Model):
    """Base backups and WAL archive in an object store through the Barman Cloud plugin (CNPG-I),
    upstream's path since the in-tree barmanObjectStore was deprecated in CloudNativePG 1.26."""

    method: Literal["barmanCloud"]
    destination_path: ObjectStorePath
    """Where backups go, e.g. s3://example-db-backups/prd (one folder per environment)."""
    endpoint_url: HttpsUrl | None = None
    """S3-compatible endpoint (R2, MinIO, a regional AWS endpoint); omitted means AWS S3."""
    s3: S3Credentials
    retention_policy: RetentionPolicy = "30d"
    schedule: CnpgSchedule = "0 0 3 * * *"
    """When the base backup runs (six fields, seconds first)."""
    compression: Literal["gzip", "bzip2", "snappy"] = "gzip"
    """Compression of WAL files and base backups."""


class VolumeSnapshotBackup(Model):
    """CSI volume snapshots (`backup.volumeSnapshot`): needs the snapshot CRDs and a
    VolumeSnapshotClass in the cluster, no operator of ours. Without a WAL archive there is no
    point-in-time recovery, so snapshots are cold (taken from a fenced standby) by default."""

    method: Literal["volumeSnapshot"]
    class_name: DnsSubdomain
    """The VolumeSnapshotClass."""
    online: bool = False
    schedule: CnpgSchedule = "0 0 3 * * *"


Backup = Annotated[BarmanCloudBackup | VolumeSnapshotBackup, Field(discriminator="method")]


class Postgres(Model):
    cluster_name: DnsLabel = "example-db"
    image_repository: ImageRepository = "ghcr.io/cloudnative-pg/postgresql"
    version: PostgresVersion
    image_variant: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)] | None = None
    """Suffix of the image tag after the version, e.g. minimal-trixie (CloudNativePG's postgres-containers
    publish `<version>-<minimal|standard|system>-<debian release>`; the bare `<version>` tag is the
    deprecated system image on Debian bullseye)."""
    instances: Annotated[int, Field(ge=1, le=9)]
    database: PostgresIdentifier = "app"
    owner: PostgresIdentifier | None = None
    """Database owner role; defaults to the database name, as CloudNativePG does."""
    storage: Storage
    wal_storage: Storage | None = None
    resources: Resources = Resources()
    pod_anti_affinity: Literal["preferred", "required"] = "preferred"
    parameters: dict[Annotated[str, Field(pattern=r"^[a-z_.]+$")], str] = {}
    """postgresql.conf overrides."""
    backup: Backup | None = None
    """Required in production; dev keeps none."""


EvictionPolicy = Literal["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
                         "volatile-random", "volatile-ttl", "noeviction"]


class RedisCommon(Model):
    name: DnsLabel = "example-redis"
    image_repository: ImageRepository = "quay.io/opstree/redis"
    version: ImageTag
    """Tag of the OT Redis images, e.g. v8.2.2."""
    storage: Storage
    resources: Resources = Resources()
    """Requests and limits of each Redis pod; the memory limit sizes `maxmemory`."""
    max_memory_percent_of_limit: Annotated[int, Field(ge=1, le=100)] = 75
    """`maxmemory` as a share of the memory limit (the rest is replication and fork headroom)."""
    max_memory_policy: EvictionPolicy = "allkeys-lru"
    """What Redis evicts at `maxmemory`: a cache evicts least recently used keys."""
    password_key: DopplerKey
    """Doppler secret holding the Redis password."""


class RedisStandalone(RedisCommon):
    mode: Literal["standalone"]


class RedisSentinel(RedisCommon):
    mode: Literal["sentinel"]
    sentinel_image_repository: ImageRepository = "quay.io/opstree/redis-sentinel"
    replicas: Annotated[int, Field(ge=1, le=8)]
    """Replicas besides the master: 1 means one master and one replica."""
    sentinels: Annotated[int, Field(ge=3, le=9)]
    """Number of Sentinel processes; odd, at least 3."""
    quorum: Annotated[int, Field(ge=1, le=9)]
    """Sentinels that must agree that the master is down (at most `sentinels`)."""
    master_group_name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)] = "mymaster"
    sentinel_resources: Resources = Resources()
    sentinel_password_key: DopplerKey
    """Doppler secret holding the sentinels' own password (`requirepass` of the sentinels)."""


Redis = Annotated[RedisStandalone | RedisSentinel, Field(discriminator="mode")]


# --- secrets ---------------------------------------------------------------------------------


class TokenSecretRef(Model):
    name: DnsSubdomain = "doppler-token"
    key: Annotated[str, Field(pattern=r"^[-._a-zA-Z0-9]+$")] = "dopplerToken"
    namespace: DnsLabel = "external-secrets"


class Doppler(Model):
    store_name: DnsSubdomain = "doppler"
    """Name of the ClusterSecretStore."""
    project: DnsLabel
    config: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$", max_length=64)]
    token_secret: TokenSecretRef = TokenSecretRef()
    """The Secret (bootstrapped out of band) holding a Doppler service token."""


class Secrets(Model):
    doppler: Doppler
    refresh_interval: Duration = "1h"


# --- edge ------------------------------------------------------------------------------------


class TailscaleEdge(Model):
    """DEV: the ingress controller is exposed on the tailnet; no public DNS."""

    type: Literal["tailscale"]
    hostname: DnsLabel
    """Tailscale device name of the ingress controller; the API is <hostname>.<tailnet>.ts.net."""
    tailnet: TailnetName
    oauth_client_id_key: DopplerKey
    oauth_client_secret_key: DopplerKey


class CloudflareEdge(Model):
    """PRD: a locally-managed Cloudflare Tunnel in front of the ingress controller."""

    type: Literal["cloudflare"]
    tunnel_id: Uuid
    replicas: Annotated[int, Field(ge=1, le=10)] = 2
    image: Image = "cloudflare/cloudflared:2026.8.2"
    namespace: DnsLabel = "cloudflared"
    credentials_key: DopplerKey
    """Doppler secret holding the tunnel credentials JSON (AccountTag, TunnelID, TunnelSecret)."""
    additional_hostnames: Annotated[list[Hostname], Field(max_length=50)] = []
    """Public hostnames of services a repository adds with its own templates: the tunnel routes each
    to the ingress controller, like app.hostname (their Ingress carries the DNS annotations)."""


Edge = Annotated[TailscaleEdge | CloudflareEdge, Field(discriminator="type")]


class ExternalDns(Model):
    domain_filters: Annotated[list[Hostname], Field(min_length=1)]
    txt_owner_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=63)]
    """Owner id written into the TXT registry; unique per cluster."""
    policy: Literal["sync", "upsert-only", "create-only"]
    api_token_key: DopplerKey
    annotation_prefix: AnnotationPrefix = "external-dns.alpha.kubernetes.io/"
    """Must match the external-dns version: alpha prefix up to v0.21, GA prefix from v0.22."""


class Ingress(Model):
    controller: Literal["nginx-gateway-fabric", "ingress-nginx"] = "nginx-gateway-fabric"
    """What serves the edge: NGINX Gateway Fabric on the Gateway API, or ingress-nginx (retired
    upstream in March 2026: no more releases or security fixes; only for clusters that still run it)."""
    class_name: DnsLabel = "nginx"
    """The GatewayClass (nginx-gateway-fabric) or IngressClass (ingress-nginx) the API's route uses."""
    replicas: Annotated[int, Field(ge=1, le=20)] | None = None
    """NGINX pods (the Gateway's data plane, or the ingress-nginx controller); default 2 in
    production (the only way in), 1 in development."""
    gateway_name: DnsLabel = "edge"
    """The platform's Gateway (nginx-gateway-fabric); its data-plane Service is `<gatewayName>-<className>`."""
    gateway_api_version: Annotated[str, Field(pattern=r"^v\d+\.\d+\.\d+$")] = "v1.5.1"
    """Gateway API release whose standard-channel CRDs are installed (nginx-gateway-fabric)."""
    resources: Resources = Resources(requests=ResourceList(cpu="100m", memory="128Mi"),
                                     limits=ResourceList(memory="256Mi"))
    """The NGINX data-plane container (nginx-gateway-fabric)."""


class Availability(Model):
    """How replicated workloads spread over nodes (topology spread constraints)."""

    spread: Literal["required", "preferred"] | None = None
    """required: never two replicas in one topology domain while another is free (DoNotSchedule);
    preferred: best effort (ScheduleAnyway). Default: required in production, else preferred."""
    topology_key: Annotated[str, Field(pattern=r"^[a-z0-9.-]+(/[a-z0-9._-]+)?$", max_length=253)] = \
        "kubernetes.io/hostname"
    zone_key: Annotated[str, Field(pattern=r"^[a-z0-9.-]+(/[a-z0-9._-]+)?$", max_length=253)] | None = None
    """Node label naming the failure zone, e.g. topology.kubernetes.io/zone: the API, PostgreSQL
    and Redis then also spread over zones (maxSkew 1, as `spread` says). Unset: no zone spread,
    for clusters whose nodes carry no zone label."""


class Dns(Model):
    """The cluster's DNS resolver, which every pod behind a default-deny egress policy must reach.

    The defaults work on kubeadm, GKE, EKS and AKS: the in-cluster resolver (CoreDNS, or GKE's
    kube-dns) runs in kube-system with the label k8s-app: kube-dns, and pods that resolve through
    a node-local address reach it on NodeLocal DNSCache's link-local 169.254.20.10 or, on GKE with
    Cloud DNS, on the metadata server 169.254.169.254. Both answer on the node itself, where no
    pod selector can name them."""

    namespace: DnsLabel = "kube-system"
    pod_labels: dict[Annotated[str, Field(pattern=r"^[a-z0-9./-]+$")], DnsLabel] = {"k8s-app": "kube-dns"}
    """Labels of the cluster DNS pods (CoreDNS keeps k8s-app: kube-dns)."""
    node_local_addresses: list[IpAddress] = ["169.254.20.10", "169.254.169.254"]
    """Addresses pods may send DNS queries to besides the DNS pods (53/UDP and 53/TCP): NodeLocal
    DNSCache's listen address, GKE Cloud DNS's metadata server, or the kube-dns Service IP when
    a node-local cache intercepts it. [] allows the DNS pods only."""


class Network(Model):
    """Facts about the cluster network that NetworkPolicies and ingress-nginx need."""

    pod_cidr: Cidr | None = None
    """The pod network (the cluster's cluster-cidr, e.g. 10.244.0.0/16 on kubeadm with flannel).
    Required in production and with the cloudflare edge: there is no default that holds on every
    cluster. The API's HTTPS egress excludes it, and the edge trusts forwarded headers only from it."""
    dns: Dns = Dns()
    api_server_ports: Annotated[list[Annotated[int, Field(ge=1, le=65535)]], Field(min_length=1)] = [443, 6443]
    """Ports PostgreSQL pods reach the Kubernetes API on (443 through the Service, 6443 on most control planes)."""


class Observability(Model):
    """Metrics and alerts through the cluster's Prometheus Operator: PodMonitors for the PostgreSQL
    instances (CloudNativePG's exporter, which also serves the Barman Cloud plugin's backup
    metrics) and for Redis (the OT operator's redis-exporter sidecar), a PrometheusRule alerting on
    WAL archiving failures, the age of the last backup, PVC usage and a missing Redis master, and
    NetworkPolicies that let the scraper in."""

    prometheus_operator: bool = False
    """Whether the cluster runs the Prometheus Operator (its PodMonitor and PrometheusRule CRDs)."""
    enabled: bool | None = None
    """Default: on in production when prometheusOperator is true, off otherwise."""
    labels: dict[Annotated[str, Field(pattern=r"^([a-z0-9.-]+/)?[A-Za-z0-9._-]+$", max_length=253)],
                 Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{0,63}$")]] = {}
    """Labels the Prometheus selects PodMonitors and PrometheusRules by (its podMonitorSelector and
    ruleSelector), e.g. release: kube-prometheus-stack."""
    scraper_namespace: DnsLabel = "monitoring"
    """Namespace of the Prometheus pods, let in by the NetworkPolicies."""
    scraper_pod_labels: dict[Annotated[str, Field(pattern=r"^[a-z0-9./-]+$")], DnsLabel] = \
        {"app.kubernetes.io/name": "prometheus"}
    """Labels of the Prometheus pods (the Prometheus Operator sets app.kubernetes.io/name: prometheus)."""
    redis_exporter_image: Image = "quay.io/opstree/redis-exporter:v1.44.0"
    backup_max_age_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 26
    """Alert when the last successful base backup is older (a daily schedule plus margin)."""
    pvc_usage_percent: Annotated[int, Field(ge=50, le=99)] = 80
    """Alert when a volume of the namespace is fuller than this."""


# --- the whole environment -------------------------------------------------------------------


class Environment(Model):
    """One environment: everything `gitopsgen render <env>` needs."""

    tier: Literal["production", "development"]
    """production turns on what a production reviewer requires: backups, two ingress controllers,
    spread replicas, deletion protection of stateful resources."""
    namespace: DnsLabel
    """Namespace of the API and its data layer."""
    kubernetes_version: KubernetesVersion
    """Cluster version; manifests are validated against its schemas."""
    argocd: ArgoCD
    charts: Charts
    app: App
    postgres: Postgres
    redis: Redis
    secrets: Secrets
    ingress: Ingress = Ingress()
    availability: Availability = Availability()
    network: Network = Network()
    protect_data: bool | None = None
    """Delete=false/Prune=false on databases, caches and their namespaces, so no Argo CD sync or
    cascade deletes them. Default: on in production."""
    edge: Edge
    external_dns: ExternalDns | None = None
    """Public DNS records for the cloudflare edge; absent with the tailscale edge."""
    observability: Observability = Observability()
