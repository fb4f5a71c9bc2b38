"""Derive what templates need from a validated spec: names, hosts, URLs, images, waves, and
every decision (which components exist, update methods, disruption budgets, resources). The
derived values are the dataclasses of `gitopsgen.context.names`.

Templates only lay out what this module decided; the facts it applies (the Service names an
operator creates, the Secret keys CloudNativePG generates, the ingress-nginx controller Service
name rule) come from `gitopsgen.facts.domain`, which the rules import too, so rules check the rendered
objects against the facts, not against this derivation.
"""

from __future__ import annotations

from typing import Any

from gitopsgen.context.edge import (
    GATEWAY_API_SOURCE,
    NGF_AGENT_PORT,
    argo_repo_url,
    edge_controller,
    extra_cluster_kinds,
    extra_source_repos,
)
from gitopsgen.context.names import (
    AppNames,
    ArgoNames,
    BackupNames,
    Components,
    EdgeNames,
    Names,
    NamespacePlan,
    NetworkNames,
    PostgresNames,
    RedisNames,
    SecretNames,
    Spread,
    secret_ref,
)
from gitopsgen.facts import domain
from gitopsgen.facts.layout import rendered_dir
from gitopsgen.spec import LoadedSpec
from gitopsgen.spec.models import (
    BarmanCloudBackup,
    ChartSource,
    CloudflareEdge,
    Environment,
    RedisSentinel,
    Resources,
    TailscaleEdge,
    VolumeSnapshotBackup,
)

# Sync waves (docs/components.md §7). In the root: the environment's AppProject before every child. Children:
# namespaces (with their Pod Security levels and NetworkPolicies), cert-manager (the Barman Cloud
# plugin needs it ready), operators, the secret store, ExternalSecrets, data-layer custom
# resources, the app, its edge.
WAVES = {
    "project": -10,
    "foundation": -5,
    "prerequisites": -4,
    "operators": -3,
    "secret-store": -2,
    "external-secrets": -1,
    "data": 0,
    "app": 1,
    "edge": 2,
}
# Within the data Application: the object store before the Cluster archiving into it, the
# ScheduledBackup after the Cluster it backs up.
DATA_WAVES = {"object-store": -1, "cluster": 0, "scheduled-backup": 1}

PROTECT_DATA = "Prune=false,Delete=false"
"""Sync options of a database and of namespaces: neither a prune nor a cascading deletion may remove them."""
PROTECT_CACHE = "Delete=false"
"""Sync options of caches and object-store settings: kept when their Application is deleted, pruned
when removed from Git on purpose."""


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


def quantity_bytes(quantity: str) -> int:
    """Bytes of a memory quantity such as 256Mi or 1G (Kubernetes resource.Quantity)."""
    found = domain.quantity_bytes(quantity)
    if found is None:
        raise ValueError(f"not a memory quantity: {quantity!r}")
    return found


def max_memory_bytes(limit: str, percent: int) -> int:
    """`maxmemory` as the OT operator computes it from `maxMemoryPercentOfLimit`
    (internal/k8sutils/statefulset.go: int(limit * percent / 100))."""
    return int(quantity_bytes(limit) * percent / 100)


def spread(spec: Environment) -> Spread:
    choice = spec.availability.spread or ("required" if spec.tier == "production" else "preferred")
    return Spread(spec.availability.topology_key,
                  "DoNotSchedule" if choice == "required" else "ScheduleAnyway")


def _postgres(spec: Environment, protect: bool) -> PostgresNames:
    ns, pg = spec.namespace, spec.postgres
    cluster = pg.cluster_name
    replicated = pg.instances > 1
    tag = f"{pg.version}-{pg.image_variant}" if pg.image_variant else pg.version
    rw = cluster + domain.CNPG_RW_SUFFIX
    return PostgresNames(
        cluster=cluster,
        image=f"{pg.image_repository}:{tag}",
        rw_service=rw,
        ro_service=f"{cluster}-ro",
        app_secret=cluster + domain.CNPG_APP_SECRET_SUFFIX,
        database=pg.database,
        owner=pg.owner or pg.database,
        host=f"{rw}.{ns}.svc",
        port=domain.CNPG_PORT,
        jdbc_url=f"jdbc:postgresql://{rw}.{ns}.svc:{domain.CNPG_PORT}/{pg.database}",
        # A single instance with a PDB blocks node drains (CNPG docs: kubernetes_upgrade.md).
        enable_pdb=replicated,
        update_method="switchover" if replicated else "restart",
        anti_affinity=pg.pod_anti_affinity if replicated else None,
        resources=resources(pg.resources),
        sync_options=PROTECT_DATA if protect else None,
    )


def _backup(spec: Environment, protect: bool) -> BackupNames | None:
    backup, cluster, ns = spec.postgres.backup, spec.postgres.cluster_name, spec.namespace
    if isinstance(backup, BarmanCloudBackup):
        remote = {"ACCESS_KEY_ID": backup.s3.access_key_id_key, "ACCESS_SECRET_KEY": backup.s3.secret_access_key_key}
        if backup.s3.region_key is not None:
            remote["REGION"] = backup.s3.region_key
        return BackupNames(method="barmanCloud", scheduled_backup=f"{cluster}-daily", schedule=backup.schedule,
                           plugin=domain.BARMAN_PLUGIN, object_store=f"{cluster}-backup",
                           credentials=secret_ref(f"{cluster}-backup-s3", ns, remote),
                           sync_options=PROTECT_CACHE if protect else None)
    if isinstance(backup, VolumeSnapshotBackup):
        return BackupNames(method="volumeSnapshot", scheduled_backup=f"{cluster}-daily", schedule=backup.schedule,
                           plugin=None, object_store=None, credentials=None, sync_options=None)
    return None


def _redis(spec: Environment, protect: bool) -> RedisNames:
    ns, r = spec.namespace, spec.redis
    image = f"{r.image_repository}:{r.version}"
    limit = r.resources.limits.memory
    assert limit is not None  # guaranteed by spec rules
    common: dict[str, Any] = dict(
        name=r.name, image=image, secret=f"{r.name}-auth", secret_key="password", port=domain.REDIS_PORT,
        sentinel_port=domain.SENTINEL_PORT, resources=resources(r.resources),
        max_memory_percent=r.max_memory_percent_of_limit,
        max_memory_bytes=max_memory_bytes(limit, r.max_memory_percent_of_limit),
        max_memory_policy=r.max_memory_policy, config_map=f"{r.name}-config",
        config_key=domain.REDIS_EXTERNAL_CONFIG_KEY,
        sync_options=PROTECT_CACHE if protect else None,
    )
    if isinstance(r, RedisSentinel):
        sentinel_sts = r.name + domain.REDIS_SENTINEL_SUFFIX
        nodes = ",".join(f"{domain.statefulset_pod_host(sentinel_sts, i, ns)}:{domain.SENTINEL_PORT}"
                         for i in range(r.sentinels))
        return RedisNames(
            **common, mode="sentinel", sentinel_image=f"{r.sentinel_image_repository}:{r.version}",
            sentinel_secret_key="sentinel-password",
            host=f"{r.name}{domain.REDIS_MASTER_SUFFIX}.{ns}.svc",
            master_service=r.name + domain.REDIS_MASTER_SUFFIX, sentinel_service=sentinel_sts,
            sentinel_nodes=nodes, master_group_name=r.master_group_name, cluster_size=1 + r.replicas,
            sentinels=r.sentinels, sentinel_pdb_min_available=sentinel_pdb_min_available(r.sentinels, r.quorum),
            sentinel_resources=resources(r.sentinel_resources),
        )
    return RedisNames(
        **common, mode="standalone", sentinel_image=None, sentinel_secret_key=None, host=f"{r.name}.{ns}.svc",
        master_service=None, sentinel_service=None, sentinel_nodes=None, master_group_name=None, cluster_size=1,
        sentinels=0, sentinel_pdb_min_available=None, sentinel_resources=None,
    )


CHART_COMPONENTS = {
    "cloudnativePg": "cloudnative-pg", "redisOperator": "redis-operator", "externalSecrets": "external-secrets",
    "reloader": "reloader", "ingressNginx": "ingress-nginx", "nginxGatewayFabric": "nginx-gateway-fabric",
    "externalDns": "external-dns",
    "tailscaleOperator": "tailscale-operator", "certManager": "cert-manager", "barmanCloud": "plugin-barman-cloud",
}
"""The component (Application) name of each chart of the spec, by its key in `charts`: fixed, so
pinning a chart under another name (a fork, a mirror) renames nothing."""


def _charts(spec: Environment, components: Components) -> dict[str, ChartSource]:
    """Every chart the environment installs, by spec key, in the spec's order."""
    charts = spec.charts
    found = {"cloudnativePg": charts.cloudnative_pg, "redisOperator": charts.redis_operator,
             "externalSecrets": charts.external_secrets, "reloader": charts.reloader}
    edge_key = "nginxGatewayFabric" if spec.ingress.controller == "nginx-gateway-fabric" else "ingressNginx"
    edge_chart = charts.nginx_gateway_fabric if edge_key == "nginxGatewayFabric" else charts.ingress_nginx
    assert edge_chart is not None  # guaranteed by spec rules
    found[edge_key] = edge_chart
    optional = {"externalDns": (charts.external_dns, components.external_dns),
                "tailscaleOperator": (charts.tailscale_operator, components.tailscale_operator),
                "certManager": (charts.cert_manager, components.cert_manager),
                "barmanCloud": (charts.barman_cloud, components.barman_cloud)}
    found.update({key: chart for key, (chart, used) in optional.items() if used and chart is not None})
    return found


def _namespaces(spec: Environment, charts: dict[str, ChartSource], edge: EdgeNames,
                protect: bool) -> tuple[NamespacePlan, ...]:
    """Every namespace the environment deploys into, with the Pod Security Standard it enforces:
    restricted where we write every pod (the app and its data, cloudflared), privileged for the
    Tailscale proxies (they set sysctls), baseline for operator charts we do not control."""
    levels = {spec.namespace: "restricted"}
    for chart in charts.values():
        levels.setdefault(chart.namespace, "baseline")
    if edge.type == "cloudflare":
        levels[edge.namespace] = "restricted"
    else:
        levels[edge.namespace] = "privileged"
    options = PROTECT_DATA if protect else None
    return tuple(NamespacePlan(name, level, options) for name, level in sorted(levels.items()))


def _argocd(env: str, spec: Environment, charts: dict[str, ChartSource], components: Components,
            namespaces: tuple[NamespacePlan, ...]) -> ArgoNames:
    names = ["root", "namespaces", "secret-store", "secrets", "data", spec.app.name,
             *(CHART_COMPONENTS[key] for key in charts)]
    if components.cloudflared:
        names.append("cloudflared")
    if spec.ingress.controller == "nginx-gateway-fabric":
        names += ["gateway-api-crds", "gateway"]
    destination = spec.argocd.destination
    target = {"server": destination.server} if destination.server else {"name": str(destination.name)}
    repos = sorted({spec.argocd.repo_url, *(argo_repo_url(chart.repo_url) for chart in charts.values()),
                    *extra_source_repos(spec)})
    kinds = {kind for chart in charts.values() for kind in domain.CHART_CLUSTER_KINDS.get(chart.chart, ())}
    kinds.update(extra_cluster_kinds(spec))
    kinds.add((domain.ESO_GROUP, "ClusterSecretStore"))
    whitelist = [{"group": "", "kind": "Namespace", "name": ns.name} for ns in namespaces]
    whitelist += [{"group": group, "kind": kind} for group, kind in sorted(kinds)]
    return ArgoNames(
        namespace=spec.argocd.namespace, project=env, root_project=f"{env}-bootstrap",
        apps={name: f"{env}-{name}" for name in names}, destination=target,
        management_server=domain.ARGOCD_IN_CLUSTER, source_repos=tuple(repos),
        namespaces=tuple(ns.name for ns in namespaces), cluster_resources=tuple(whitelist), tier=spec.tier,
        target_revision=spec.argocd.target_revision or domain.DEFAULT_REVISIONS[spec.tier],
    )


def _components(spec: Environment) -> Components:
    """Which optional components the environment installs (the edge's, the backup's)."""
    cloudflare = isinstance(spec.edge, CloudflareEdge)
    charts = spec.charts
    barman = isinstance(spec.postgres.backup, BarmanCloudBackup)
    return Components(
        cloudflared=cloudflare,
        external_dns=cloudflare and charts.external_dns is not None,
        tailscale_operator=not cloudflare and charts.tailscale_operator is not None,
        cert_manager=barman and charts.cert_manager is not None,
        barman_cloud=barman and charts.barman_cloud is not None,
    )


def _edge(spec: Environment, spreading: Spread | None) -> EdgeNames:
    """The public entry: the Cloudflare Tunnel (cloudflared) or the tailnet (Tailscale operator)."""
    edge_spec, charts = spec.edge, spec.charts
    if isinstance(edge_spec, CloudflareEdge):
        assert spec.app.hostname is not None  # guaranteed by spec rules
        hosts = tuple(dict.fromkeys((spec.app.hostname, *edge_spec.additional_hostnames)))  # each once, API first
        return EdgeNames(type="cloudflare", public_host=spec.app.hostname, tunnel_hosts=hosts,
                         tunnel_target=edge_spec.tunnel_id + domain.TUNNEL_TARGET_SUFFIX, tailscale_fqdn=None,
                         namespace=edge_spec.namespace, pod_labels={"app.kubernetes.io/name": "cloudflared"},
                         replicas=edge_spec.replicas, pdb=edge_spec.replicas > 1,
                         spread=spreading if edge_spec.replicas > 1 else None)
    assert isinstance(edge_spec, TailscaleEdge) and charts.tailscale_operator is not None
    fqdn = f"{edge_spec.hostname}.{edge_spec.tailnet}.ts.net"
    return EdgeNames(type="tailscale", public_host=fqdn, tunnel_hosts=(fqdn,), tunnel_target=None,
                     tailscale_fqdn=fqdn, namespace=charts.tailscale_operator.namespace, pod_labels=None, replicas=0,
                     pdb=False, spread=None)


def _secrets(spec: Environment, components: Components, redis: RedisNames, app: AppNames,
             backup: BackupNames | None) -> SecretNames:
    """Every Secret an ExternalSecret delivers: its name, namespace and the Doppler key of each key."""
    ns, charts, edge_spec = spec.namespace, spec.charts, spec.edge
    cloudflare = edge_spec if isinstance(edge_spec, CloudflareEdge) else None
    redis_remote = {redis.secret_key: spec.redis.password_key}
    if isinstance(spec.redis, RedisSentinel) and redis.sentinel_secret_key is not None:
        redis_remote[redis.sentinel_secret_key] = spec.redis.sentinel_password_key
    tunnel_credentials = secret_ref("cloudflared-credentials", cloudflare.namespace,
                                    {domain.CLOUDFLARED_CREDENTIALS_KEY: cloudflare.credentials_key}) \
        if cloudflare else None
    cloudflare_api_token = secret_ref("cloudflare-api-token", charts.external_dns.namespace,
                                      {"apiToken": spec.external_dns.api_token_key}) \
        if components.external_dns and charts.external_dns is not None and spec.external_dns is not None else None
    tailscale_oauth = None
    if isinstance(edge_spec, TailscaleEdge) and charts.tailscale_operator is not None:
        # Name and keys the tailscale-operator chart expects when its oauth values are empty.
        client_id, client_secret = domain.TAILSCALE_OAUTH_KEYS
        tailscale_oauth = secret_ref(domain.TAILSCALE_OAUTH_SECRET, charts.tailscale_operator.namespace,
                                     {client_id: edge_spec.oauth_client_id_key,
                                      client_secret: edge_spec.oauth_client_secret_key})
    app_remote = {"AUTH0_CLIENT_SECRET": spec.app.auth0.client_secret_key, **spec.app.secrets}
    redis_secret = secret_ref(redis.secret, ns, redis_remote)
    app_secret = secret_ref(app.secret, ns, app_remote)
    credentials = backup.credentials if backup is not None else None
    delivered = (redis_secret, app_secret, tunnel_credentials, cloudflare_api_token, tailscale_oauth, credentials)
    return SecretNames(
        store=spec.secrets.doppler.store_name, redis=redis_secret, app=app_secret,
        tunnel_credentials=tunnel_credentials, cloudflare_api_token=cloudflare_api_token,
        tailscale_oauth=tailscale_oauth, backup=credentials,
        namespaces=tuple(sorted({ref.namespace for ref in delivered if ref is not None})),
    )


def _network(spec: Environment) -> NetworkNames:
    """What the NetworkPolicies allow: the pod network, DNS, the API server, the operators."""
    charts = spec.charts
    return NetworkNames(
        pod_cidr=spec.network.pod_cidr, dns_namespace=spec.network.dns.namespace,
        dns_pod_labels=dict(spec.network.dns.pod_labels), api_server_ports=tuple(spec.network.api_server_ports),
        cnpg_operator_namespace=charts.cloudnative_pg.namespace,
        cnpg_operator_labels=dict(domain.CNPG_OPERATOR_POD_LABELS), cnpg_status_port=domain.CNPG_STATUS_PORT,
        redis_operator_namespace=charts.redis_operator.namespace,
        ingress_http_port=domain.INGRESS_NGINX_HTTP_PORT, ingress_webhook_port=domain.INGRESS_NGINX_WEBHOOK_PORT,
    )


def derive(spec: Environment, env: str) -> Names:
    """Every decision the templates lay out, from the validated spec of `env`."""
    production = spec.tier == "production"
    protect = spec.protect_data if spec.protect_data is not None else production
    spreading = spread(spec)
    redis = _redis(spec, protect)
    components = _components(spec)
    edge = _edge(spec, spreading)
    app = AppNames(
        name=spec.app.name, service=spec.app.name, secret=f"{spec.app.name}-secrets", host=edge.public_host,
        issuer_uri=f"https://{spec.app.auth0.domain}/",  # Auth0's iss claim ends with a slash
        resources=resources(spec.app.resources), labels={"app.kubernetes.io/name": spec.app.name},
        pdb=spec.app.replicas > 1, spread=spreading if spec.app.replicas > 1 else None,
    )
    backup = _backup(spec, protect)
    secrets = _secrets(spec, components, redis, app, backup)
    installed = _charts(spec, components)
    namespaces = _namespaces(spec, installed, edge, protect)
    observability = spec.observability.enabled if spec.observability.enabled is not None \
        else production and spec.observability.prometheus_operator
    return Names(app=app, postgres=_postgres(spec, protect), backup=backup, redis=redis,
                 ingress=edge_controller(spec, spreading), edge=edge, secrets=secrets, components=components,
                 argocd=_argocd(env, spec, installed, components, namespaces), namespaces=namespaces,
                 network=_network(spec), spread=spreading,
                 # Reloader watches where ExternalSecrets deliver Secrets, and nowhere else.
                 reloader_namespaces=secrets.namespaces, charts=installed, protect_data=protect,
                 observability=observability)


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
        "names": derive(spec, loaded.env),
        "waves": WAVES,
        "data_waves": DATA_WAVES,
        "rendered_dir": rendered_dir(loaded.env),
        "gateway_api": GATEWAY_API_SOURCE,
        "ngf_agent_port": NGF_AGENT_PORT,
    }


__all__ = ["DATA_WAVES", "WAVES", "Names", "build_context", "derive", "max_memory_bytes", "quantity_bytes",
           "resources", "sentinel_pdb_min_available", "spread"]
