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
    DnsLabel,
    DnsSubdomain,
    DopplerKey,
    Duration,
    EnvVarName,
    GitRevision,
    HelmRepoUrl,
    Hostname,
    Image,
    ImageRepository,
    ImageTag,
    KubernetesVersion,
    PostgresIdentifier,
    PostgresVersion,
    Quantity,
    RepoUrl,
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
    release_name: DnsLabel | None = None
    """Helm release name; defaults to the Argo CD Application name."""


# --- Argo CD ---------------------------------------------------------------------------------


class Destination(Model):
    server: ServerUrl | None = None
    """API server URL, e.g. https://kubernetes.default.svc (exactly one of server/name)."""
    name: DnsSubdomain | None = None
    """Cluster name as registered in Argo CD (exactly one of server/name)."""


class Retry(Model):
    limit: Annotated[int, Field(ge=0, le=100)] = 5
    backoff_duration: Duration = "10s"
    backoff_factor: Annotated[int, Field(ge=1, le=10)] = 2
    backoff_max_duration: Duration = "5m"


class ArgoCD(Model):
    namespace: DnsLabel = "argocd"
    project: DnsLabel = "default"
    repo_url: RepoUrl = Field(alias="repoURL")
    """The Git repository that holds this tree (Argo CD reads rendered/<env>/ from it)."""
    target_revision: GitRevision = "main"
    destination: Destination
    retry: Retry = Retry()


class Charts(Model):
    """Every operator chart, pinned. Versions and repositories: shared/reference/DOMAIN.md."""

    cloudnative_pg: ChartSource
    redis_operator: ChartSource
    external_secrets: ChartSource
    reloader: ChartSource
    ingress_nginx: ChartSource
    external_dns: ChartSource | None = None
    """Required when `edge.type` is cloudflare."""
    tailscale_operator: ChartSource | None = None
    """Required when `edge.type` is tailscale."""


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


class Postgres(Model):
    cluster_name: DnsLabel = "example-db"
    image_repository: ImageRepository = "ghcr.io/cloudnative-pg/postgresql"
    version: PostgresVersion
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


class RedisCommon(Model):
    name: DnsLabel = "example-redis"
    image_repository: ImageRepository = "quay.io/opstree/redis"
    version: ImageTag
    """Tag of the OT Redis images, e.g. v7.0.15."""
    storage: Storage
    resources: Resources = Resources()
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
    class_name: DnsLabel = "nginx"


# --- the whole environment -------------------------------------------------------------------


class Environment(Model):
    """One environment: everything `gitopsgen render <env>` needs."""

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
    edge: Edge
    external_dns: ExternalDns | None = None
    """Public DNS records for the cloudflare edge; absent with the tailscale edge."""
