"""Facts about the components we deploy, written once (shared/reference/DOMAIN.md).

Both sides of the tool import these: `context` derives names from them for the templates, and the
rules check rendered objects against them. A rule that imported the derivation itself could not
catch its mistakes; a fact kept in two places drifts. So facts live here, and nothing here
derives anything from a spec.
"""

from __future__ import annotations

# --- CloudNativePG (DOMAIN section 1) -----------------------------------------------------------

CNPG_API_VERSION = "postgresql.cnpg.io/v1"
CNPG_PORT = 5432
CNPG_SERVICE_SUFFIXES = ("-rw", "-ro", "-r", "-any")
"""Services the operator creates per Cluster (cluster_types.go; `-any` in pkg/specs/services.go)."""
CNPG_RW_SUFFIX = "-rw"
CNPG_APP_SECRET_SUFFIX = "-app"
CNPG_SUPERUSER_SECRET_SUFFIX = "-superuser"
CNPG_DEFAULT_DATABASE = "app"
CNPG_SECRET_KEYS = frozenset({"username", "user", "password", "dbname", "host", "port", "pgpass", "uri",
                              "jdbc-uri", "fqdn-uri", "fqdn-jdbc-uri"})
"""Keys of the generated basic-auth Secrets (pkg/specs/secrets.go)."""

# --- OT redis-operator (DOMAIN section 2) -------------------------------------------------------

REDIS_GROUP = "redis.redis.opstreelabs.in"
REDIS_KINDS = ("Redis", "RedisReplication", "RedisSentinel", "RedisCluster")
REDIS_PORT = 6379
SENTINEL_PORT = 26379
SENTINEL_DEFAULT_MASTER_GROUP = "myMaster"
"""`redisSentinelConfig.masterGroupName` default (capital M); the embedded sentinel uses `mymaster`."""
REDIS_SERVICE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Redis": ("", "-headless", "-additional", "-metrics"),
    "RedisReplication": ("", "-headless", "-additional", "-metrics", "-master", "-replica"),
    "RedisSentinel": ("-sentinel", "-sentinel-headless", "-sentinel-additional"),
}
"""Services the operator creates per custom resource `<name>` (internal/k8sutils/*.go)."""
REDIS_MASTER_SUFFIX = "-master"
REDIS_SENTINEL_SUFFIX = "-sentinel"
REDIS_OPERATOR_POD_LABELS = ("app", "role", "redis_setup_type", "redis-role")
"""Pod labels the operator's Services select on; CR labels override them (labels.go)."""


def redis_owned_suffixes() -> frozenset[str]:
    """Every Service suffix the operator may claim for a name, whatever the kind."""
    return frozenset(s for suffixes in REDIS_SERVICE_SUFFIXES.values() for s in suffixes)


# --- External Secrets (DOMAIN section 3) --------------------------------------------------------

ESO_GROUP = "external-secrets.io"
ESO_API_VERSION = "external-secrets.io/v1"
"""The only served version in ESO v2.9.0 (`v1beta1` is `served: false`)."""

# --- ingress-nginx (DOMAIN section 9) -----------------------------------------------------------

INGRESS_NGINX_CHART = "ingress-nginx"
INGRESS_NGINX_HTTP_PORT = 80


def ingress_controller_service(release: str) -> str:
    """ingress-nginx chart `_helpers.tpl`: fullname is the release name if it contains the chart
    name, else `<release>-ingress-nginx`; the controller Service is `<fullname>-controller`."""
    fullname = release if INGRESS_NGINX_CHART in release else f"{release}-{INGRESS_NGINX_CHART}"
    return f"{fullname}-controller"


# --- External-DNS (DOMAIN section 6) ------------------------------------------------------------

EXTERNAL_DNS_PREFIXES = ("external-dns.alpha.kubernetes.io/", "external-dns.kubernetes.io/")
"""Annotation prefixes: alpha up to v0.21.0, GA from v0.22.0."""

# --- cloudflared (DOMAIN section 5) -------------------------------------------------------------

CLOUDFLARED_CREDENTIALS_KEY = "credentials.json"
TUNNEL_TARGET_SUFFIX = ".cfargotunnel.com"

# --- Tailscale operator (DOMAIN section 8) ------------------------------------------------------

TAILSCALE_OAUTH_SECRET = "operator-oauth"
TAILSCALE_OAUTH_KEYS = ("client_id", "client_secret")
"""Name and keys of the precreated OAuth Secret the tailscale-operator chart expects."""

# --- Argo CD (DOMAIN section 7) -----------------------------------------------------------------

ARGOCD_API_VERSION = "argoproj.io/v1alpha1"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
FINALIZERS = frozenset({
    "resources-finalizer.argocd.argoproj.io",
    "resources-finalizer.argocd.argoproj.io/foreground",
    "resources-finalizer.argocd.argoproj.io/background",
})
CHART_CRD_GROUPS: dict[str, tuple[str, ...]] = {
    "cloudnative-pg": ("postgresql.cnpg.io",),
    "redis-operator": (REDIS_GROUP,),
    "external-secrets": (ESO_GROUP, "generators.external-secrets.io"),
    "tailscale-operator": ("tailscale.com",),
}
"""API groups of the CRDs each operator chart installs (DOMAIN sections 1-3, 8)."""
LARGE_CRD_CHARTS = frozenset({"cloudnative-pg", "external-secrets", "redis-operator"})
"""Charts whose CRDs exceed the 262144-byte last-applied annotation of client-side apply (X28)."""
