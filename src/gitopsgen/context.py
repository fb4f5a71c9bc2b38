"""Derive what templates need from a validated spec: names, hosts, URLs, images, waves, and
every decision (which components exist, update methods, disruption budgets, resources).

Templates only lay out what this module decided; the facts it applies (the Service names an
operator creates, the Secret keys CloudNativePG generates, the ingress-nginx controller Service
name rule) come from `gitopsgen.domain`, which the rules import too, so rules check the rendered
objects against the facts, not against this derivation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitopsgen import domain
from gitopsgen.layout import rendered_dir
from gitopsgen.spec import LoadedSpec
from gitopsgen.spec.models import CloudflareEdge, Environment, RedisSentinel, Resources, TailscaleEdge

# Sync waves of the child Applications (DOMAIN X32): operators, then the secret store, then
# ExternalSecrets, then data-layer custom resources, then the app and its edge.
WAVES = {
    "operators": -3,
    "secret-store": -2,
    "external-secrets": -1,
    "data": 0,
    "app": 1,
    "edge": 2,
}


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


@dataclass(frozen=True)
class RedisNames:
    name: str
    mode: str
    image: str
    sentinel_image: str | None
    secret: str
    secret_key: str
    host: str
    """Standalone: the Redis Service. Sentinel: the operator's master-only Service."""
    port: int
    master_service: str | None
    sentinel_service: str | None
    sentinel_nodes: str | None
    sentinel_port: int
    master_group_name: str | None
    cluster_size: int
    sentinel_pdb_min_available: int | None
    """Sentinels kept up during voluntary disruptions (sentinel mode only)."""
    resources: dict[str, Any] | None


@dataclass(frozen=True)
class IngressNames:
    class_name: str
    release: str
    namespace: str
    controller_service: str
    controller_url: str


@dataclass(frozen=True)
class EdgeNames:
    type: str
    public_host: str
    """The host users reach the API at."""
    tunnel_target: str | None
    tailscale_fqdn: str | None


@dataclass(frozen=True)
class AppNames:
    name: str
    service: str
    secret: str
    """Secret (from an ExternalSecret) holding the API's own secrets."""
    host: str
    issuer_uri: str
    resources: dict[str, Any] | None


@dataclass(frozen=True)
class SecretRef:
    """A Secret that an ExternalSecret creates and something else consumes."""

    name: str
    namespace: str
    keys: tuple[str, ...]


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
    extra_namespaces: tuple[str, ...]
    """Namespaces outside the app namespace that ExternalSecrets write into, sorted: the `secrets`
    Application (wave -1) creates them, since their own components only arrive in a later wave."""


@dataclass(frozen=True)
class Components:
    """Which optional components this environment renders (each is a set of templates)."""

    cloudflared: bool
    external_dns: bool
    tailscale_operator: bool


@dataclass(frozen=True)
class Names:
    app: AppNames
    postgres: PostgresNames
    redis: RedisNames
    ingress: IngressNames
    edge: EdgeNames
    secrets: SecretNames
    components: Components


def resources(spec: Resources) -> dict[str, Any] | None:
    """A container `resources` mapping with unset quantities and empty parts left out; None when
    nothing is set (the template then writes no `resources:` at all)."""
    out = {part: values for part in ("requests", "limits")
           if (values := getattr(spec, part).model_dump(exclude_none=True))}
    return out or None


def sentinel_pdb_min_available(sentinels: int, quorum: int) -> int:
    """Keep enough sentinels up to agree on a failover (the quorum) and to elect the one that runs
    it (a majority), but always allow one to be evicted so node drains can proceed."""
    return min(max(quorum, sentinels // 2 + 1), sentinels - 1)


def derive(spec: Environment) -> Names:
    ns = spec.namespace
    pg = spec.postgres
    cluster = pg.cluster_name
    owner = pg.owner or pg.database
    replicated = pg.instances > 1
    postgres = PostgresNames(
        cluster=cluster,
        image=f"{pg.image_repository}:{pg.version}",
        rw_service=cluster + domain.CNPG_RW_SUFFIX,
        ro_service=f"{cluster}-ro",
        app_secret=cluster + domain.CNPG_APP_SECRET_SUFFIX,
        database=pg.database,
        owner=owner,
        host=f"{cluster}{domain.CNPG_RW_SUFFIX}.{ns}.svc",
        port=domain.CNPG_PORT,
        jdbc_url=f"jdbc:postgresql://{cluster}{domain.CNPG_RW_SUFFIX}.{ns}.svc:{domain.CNPG_PORT}/{pg.database}",
        # A single instance with a PDB blocks node drains (CNPG docs: kubernetes_upgrade.md).
        enable_pdb=replicated,
        update_method="switchover" if replicated else "restart",
        anti_affinity=pg.pod_anti_affinity if replicated else None,
        resources=resources(pg.resources),
    )

    r = spec.redis
    image = f"{r.image_repository}:{r.version}"
    if isinstance(r, RedisSentinel):
        redis = RedisNames(
            name=r.name, mode="sentinel", image=image,
            sentinel_image=f"{r.sentinel_image_repository}:{r.version}",
            secret=f"{r.name}-auth", secret_key="password",
            host=f"{r.name}{domain.REDIS_MASTER_SUFFIX}.{ns}.svc", port=domain.REDIS_PORT,
            master_service=r.name + domain.REDIS_MASTER_SUFFIX,
            sentinel_service=r.name + domain.REDIS_SENTINEL_SUFFIX,
            sentinel_nodes=f"{r.name}{domain.REDIS_SENTINEL_SUFFIX}.{ns}.svc:{domain.SENTINEL_PORT}",
            sentinel_port=domain.SENTINEL_PORT,
            master_group_name=r.master_group_name,
            cluster_size=1 + r.replicas,
            sentinel_pdb_min_available=sentinel_pdb_min_available(r.sentinels, r.quorum),
            resources=resources(r.resources),
        )
    else:
        redis = RedisNames(
            name=r.name, mode="standalone", image=image, sentinel_image=None,
            secret=f"{r.name}-auth", secret_key="password",
            host=f"{r.name}.{ns}.svc", port=domain.REDIS_PORT,
            master_service=None, sentinel_service=None, sentinel_nodes=None, sentinel_port=domain.SENTINEL_PORT,
            master_group_name=None, cluster_size=1, sentinel_pdb_min_available=None,
            resources=resources(r.resources),
        )

    nginx = spec.charts.ingress_nginx
    release = nginx.release_name or domain.INGRESS_NGINX_CHART
    controller = domain.ingress_controller_service(release)
    ingress = IngressNames(
        class_name=spec.ingress.class_name,
        release=release,
        namespace=nginx.namespace,
        controller_service=controller,
        controller_url=f"http://{controller}.{nginx.namespace}.svc.cluster.local:{domain.INGRESS_NGINX_HTTP_PORT}",
    )

    edge_spec = spec.edge
    if isinstance(edge_spec, CloudflareEdge):
        assert spec.app.hostname is not None  # guaranteed by spec rules
        edge = EdgeNames(type="cloudflare", public_host=spec.app.hostname,
                         tunnel_target=edge_spec.tunnel_id + domain.TUNNEL_TARGET_SUFFIX, tailscale_fqdn=None)
    else:
        assert isinstance(edge_spec, TailscaleEdge)
        fqdn = f"{edge_spec.hostname}.{edge_spec.tailnet}.ts.net"
        edge = EdgeNames(type="tailscale", public_host=fqdn, tunnel_target=None, tailscale_fqdn=fqdn)

    app = AppNames(
        name=spec.app.name,
        service=spec.app.name,
        secret=f"{spec.app.name}-secrets",
        host=edge.public_host,
        issuer_uri=f"https://{spec.app.auth0.domain}/",  # Auth0's iss claim ends with a slash
        resources=resources(spec.app.resources),
    )
    charts = spec.charts
    cloudflare = edge_spec if isinstance(edge_spec, CloudflareEdge) else None
    components = Components(
        cloudflared=cloudflare is not None,
        external_dns=cloudflare is not None and charts.external_dns is not None,
        tailscale_operator=cloudflare is None and charts.tailscale_operator is not None,
    )
    tunnel_credentials = SecretRef("cloudflared-credentials", cloudflare.namespace,
                                   (domain.CLOUDFLARED_CREDENTIALS_KEY,)) if cloudflare else None
    cloudflare_api_token = SecretRef("cloudflare-api-token", charts.external_dns.namespace, ("apiToken",)) \
        if components.external_dns and charts.external_dns is not None else None
    # Name and keys the tailscale-operator chart expects when its oauth values are empty.
    tailscale_oauth = SecretRef(domain.TAILSCALE_OAUTH_SECRET, charts.tailscale_operator.namespace,
                                domain.TAILSCALE_OAUTH_KEYS) \
        if components.tailscale_operator and charts.tailscale_operator is not None else None
    outside = {ref.namespace for ref in (tunnel_credentials, cloudflare_api_token, tailscale_oauth)
               if ref is not None and ref.namespace != ns}
    secrets = SecretNames(
        store=spec.secrets.doppler.store_name,
        redis=SecretRef(redis.secret, ns, (redis.secret_key,)),
        app=SecretRef(app.secret, ns, tuple(sorted({"AUTH0_CLIENT_SECRET", *spec.app.secrets}))),
        tunnel_credentials=tunnel_credentials,
        cloudflare_api_token=cloudflare_api_token,
        tailscale_oauth=tailscale_oauth,
        extra_namespaces=tuple(sorted(outside)),
    )
    return Names(app=app, postgres=postgres, redis=redis, ingress=ingress, edge=edge, secrets=secrets,
                 components=components)


def build_context(loaded: LoadedSpec) -> dict[str, Any]:
    """The variables every template sees.

    `spec` is the validated spec as plain data with the same camelCase keys as the YAML files and
    every default filled in (`spec.argocd.repoURL`, `spec.app.cacheTtl`); `names` holds the derived
    names (snake_case attributes, see `Names`).
    """
    spec = loaded.model
    return {
        "env": loaded.env,
        "spec": spec.model_dump(mode="json", by_alias=True),
        "names": derive(spec),
        "waves": WAVES,
        "rendered_dir": rendered_dir(loaded.env),
    }
