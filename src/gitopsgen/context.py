"""Derive what templates need from a validated spec: names, hosts, URLs, images, waves.

Everything here is a fact from shared/reference/DOMAIN.md turned into code once (the Service
names an operator creates, the Secret keys CloudNativePG generates, the ingress-nginx controller
Service name rule), so that templates never spell a derived name twice and tests can check the
rendered objects against the same facts independently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitopsgen.spec import LoadedSpec
from gitopsgen.spec.models import CloudflareEdge, Environment, RedisSentinel, TailscaleEdge

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


@dataclass(frozen=True)
class Names:
    app: AppNames
    postgres: PostgresNames
    redis: RedisNames
    ingress: IngressNames
    edge: EdgeNames
    secrets: SecretNames


def ingress_controller_service(release: str) -> str:
    """ingress-nginx chart `_helpers.tpl`: fullname is the release name if it contains the chart
    name, else `<release>-ingress-nginx`; the controller Service is `<fullname>-controller`."""
    fullname = release if "ingress-nginx" in release else f"{release}-ingress-nginx"
    return f"{fullname}-controller"


def derive(spec: Environment) -> Names:
    ns = spec.namespace
    pg = spec.postgres
    cluster = pg.cluster_name
    owner = pg.owner or pg.database
    postgres = PostgresNames(
        cluster=cluster,
        image=f"{pg.image_repository}:{pg.version}",
        rw_service=f"{cluster}-rw",
        ro_service=f"{cluster}-ro",
        app_secret=f"{cluster}-app",
        database=pg.database,
        owner=owner,
        host=f"{cluster}-rw.{ns}.svc",
        port=5432,
        jdbc_url=f"jdbc:postgresql://{cluster}-rw.{ns}.svc:5432/{pg.database}",
        # A single instance with a PDB blocks node drains (CNPG docs: kubernetes_upgrade.md).
        enable_pdb=pg.instances > 1,
    )

    r = spec.redis
    image = f"{r.image_repository}:{r.version}"
    if isinstance(r, RedisSentinel):
        redis = RedisNames(
            name=r.name, mode="sentinel", image=image,
            sentinel_image=f"{r.sentinel_image_repository}:{r.version}",
            secret=f"{r.name}-auth", secret_key="password",
            host=f"{r.name}-master.{ns}.svc", port=6379,
            master_service=f"{r.name}-master",
            sentinel_service=f"{r.name}-sentinel",
            sentinel_nodes=f"{r.name}-sentinel.{ns}.svc:26379",
            sentinel_port=26379,
            master_group_name=r.master_group_name,
            cluster_size=1 + r.replicas,
        )
    else:
        redis = RedisNames(
            name=r.name, mode="standalone", image=image, sentinel_image=None,
            secret=f"{r.name}-auth", secret_key="password",
            host=f"{r.name}.{ns}.svc", port=6379,
            master_service=None, sentinel_service=None, sentinel_nodes=None, sentinel_port=26379,
            master_group_name=None, cluster_size=1,
        )

    nginx = spec.charts.ingress_nginx
    release = nginx.release_name or "ingress-nginx"
    controller = ingress_controller_service(release)
    ingress = IngressNames(
        class_name=spec.ingress.class_name,
        release=release,
        namespace=nginx.namespace,
        controller_service=controller,
        controller_url=f"http://{controller}.{nginx.namespace}.svc.cluster.local:80",
    )

    edge_spec = spec.edge
    if isinstance(edge_spec, CloudflareEdge):
        assert spec.app.hostname is not None  # guaranteed by spec rules
        edge = EdgeNames(type="cloudflare", public_host=spec.app.hostname,
                         tunnel_target=f"{edge_spec.tunnel_id}.cfargotunnel.com", tailscale_fqdn=None)
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
    )
    charts = spec.charts
    cloudflare = edge_spec if isinstance(edge_spec, CloudflareEdge) else None
    secrets = SecretNames(
        store=spec.secrets.doppler.store_name,
        redis=SecretRef(redis.secret, ns, (redis.secret_key,)),
        app=SecretRef(app.secret, ns, tuple(sorted({"AUTH0_CLIENT_SECRET", *spec.app.secrets}))),
        tunnel_credentials=SecretRef("cloudflared-credentials", cloudflare.namespace, ("credentials.json",))
        if cloudflare else None,
        cloudflare_api_token=SecretRef("cloudflare-api-token", charts.external_dns.namespace, ("apiToken",))
        if cloudflare and charts.external_dns is not None else None,
        # Name and keys the tailscale-operator chart expects when oauth values are empty.
        tailscale_oauth=SecretRef("operator-oauth", charts.tailscale_operator.namespace,
                                  ("client_id", "client_secret"))
        if not cloudflare and charts.tailscale_operator is not None else None,
    )
    return Names(app=app, postgres=postgres, redis=redis, ingress=ingress, edge=edge, secrets=secrets)


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
        "rendered_dir": f"rendered/{loaded.env}",
    }
