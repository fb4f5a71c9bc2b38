"""Facts about the components we deploy, written once (docs/components.md, with upstream evidence).

Both sides of the tool import these: `context` derives names from them for the templates, and the
rules check rendered objects against them. A rule that imported the derivation itself could not
catch its mistakes; a fact kept in two places drifts. So facts live here, and nothing here
derives anything from a spec.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

# --- CloudNativePG (docs/components.md §1) --------------------------------------------------------

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
CNPG_CLUSTER_LABEL = "cnpg.io/cluster"
"""Label of every instance pod: the Cluster's name (docs/components.md §1)."""
CNPG_STATUS_PORT = 8000
"""The instance manager's status port; the operator must reach it and 5432 (docs/src/networking.md)."""
CNPG_OPERATOR_POD_LABELS = {"app.kubernetes.io/name": "cloudnative-pg"}
"""Labels of the operator pods of the cloudnative-pg chart (docs/src/samples/networkpolicy-example.yaml)."""
BARMAN_GROUP = "barmancloud.cnpg.io"
BARMAN_API_VERSION = "barmancloud.cnpg.io/v1"
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"
"""`plugins[].name` and `pluginConfiguration.name` of the Barman Cloud plugin (plugin-barman-cloud v0.13.0)."""
BARMAN_OBJECT_PARAMETER = "barmanObjectName"
"""`plugins[].parameters` key naming the ObjectStore of the WAL archiver."""

# --- OT redis-operator (docs/components.md §2) ----------------------------------------------------

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
REDIS_EXTERNAL_CONFIG_KEY = "redis-additional.conf"
"""`redisConfig.additionalRedisConfig` names a ConfigMap that the operator mounts at
/etc/redis/external.conf.d; the image's entrypoint includes this key last (OT-CONTAINER-KIT/redis
entrypoint.sh, EXTERNAL_CONFIG_FILE)."""


def redis_pod_app_label(kind: str, name: str) -> str:
    """The `app` label of the pods of a Redis custom resource: `<name>`, for sentinels `<name>-sentinel`."""
    return name + REDIS_SENTINEL_SUFFIX if kind == "RedisSentinel" else name


def statefulset_pod_host(statefulset: str, ordinal: int, namespace: str) -> str:
    """The DNS name of one pod of an operator StatefulSet: the operator sets `serviceName` to
    `<statefulset>-headless` (redis-operator internal/k8sutils/statefulset.go)."""
    return f"{statefulset}-{ordinal}.{statefulset}-headless.{namespace}.svc"


def redis_owned_suffixes() -> frozenset[str]:
    """Every Service suffix the operator may claim for a name, whatever the kind."""
    return frozenset(s for suffixes in REDIS_SERVICE_SUFFIXES.values() for s in suffixes)


# --- External Secrets (docs/components.md §3) -----------------------------------------------------

ESO_GROUP = "external-secrets.io"
ESO_API_VERSION = "external-secrets.io/v1"
"""The only served version in ESO v2.9.0 (`v1beta1` is `served: false`)."""

# --- ingress-nginx (docs/components.md §9) --------------------------------------------------------

INGRESS_NGINX_CHART = "ingress-nginx"
INGRESS_NGINX_HTTP_PORT = 80
"""Port of the controller Service and of the controller container (controller.containerPort.http)."""
INGRESS_NGINX_WEBHOOK_PORT = 8443
"""The admission webhook's container port, called by the API server (controller.admissionWebhooks.port)."""
INGRESS_NGINX_DEFAULTS = {"replicaCount": 1, "minAvailable": 1}
"""Chart 4.15.1 defaults; the chart renders its PodDisruptionBudget only when replicas > 1."""


def ingress_controller_pod_labels(release: str) -> dict[str, str]:
    """Labels of the controller pods: the chart's selector labels plus the component
    (`_helpers.tpl` ingress-nginx.selectorLabels; name is the chart name without nameOverride)."""
    return {"app.kubernetes.io/name": INGRESS_NGINX_CHART, "app.kubernetes.io/instance": release,
            "app.kubernetes.io/component": "controller"}


def ingress_controller_service(release: str) -> str:
    """ingress-nginx chart `_helpers.tpl`: fullname is the release name if it contains the chart
    name, else `<release>-ingress-nginx`; the controller Service is `<fullname>-controller`."""
    fullname = release if INGRESS_NGINX_CHART in release else f"{release}-{INGRESS_NGINX_CHART}"
    return f"{fullname}-controller"


# --- External-DNS (docs/components.md §6) ---------------------------------------------------------

EXTERNAL_DNS_PREFIXES = ("external-dns.alpha.kubernetes.io/", "external-dns.kubernetes.io/")
"""Annotation prefixes: alpha up to v0.21.0, GA from v0.22.0."""

# --- cloudflared (docs/components.md §5) ----------------------------------------------------------

CLOUDFLARED_CREDENTIALS_KEY = "credentials.json"
TUNNEL_TARGET_SUFFIX = ".cfargotunnel.com"

# --- Stakater Reloader (docs/components.md §4) ----------------------------------------------------

RELOADER_CONFIGMAP_EXCLUDE = "configmaps.exclude.reloader.stakater.com/reload"
"""Workload annotation listing ConfigMaps whose changes Reloader ignores (internal/pkg/options/flags.go)."""

# --- Kubernetes ---------------------------------------------------------------------------------

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every Namespace (since 1.21): NetworkPolicies select namespaces by it."""
POD_SECURITY_LABELS = ("pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/audit",
                       "pod-security.kubernetes.io/warn")
POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
_QUANTITY_FACTORS: dict[str, int | Fraction] = {
    "": 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QUANTITY = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?")
"""apimachinery's resource.Quantity: a signed number, then a binary or decimal SI suffix or a
decimal exponent (`1e3`); pkg/api/resource/quantity.go."""


def quantity_bytes(quantity: object) -> int | None:
    """Bytes of a memory quantity such as 256Mi, 1G or 1e3 (apimachinery resource.Quantity), rounded
    up to a whole byte as `Quantity.Value()` does; None when it is not one."""
    match = _QUANTITY.fullmatch(str(quantity))
    if match is None:
        return None
    number, suffix, exponent = match.groups()
    value = Fraction(number) * (_QUANTITY_FACTORS[suffix or ""] if exponent is None else Fraction(10) ** int(exponent))
    return math.ceil(value) if value >= 0 else -math.ceil(-value)


CLUSTER_SCOPED_KINDS = frozenset({
    ("", "Namespace"), ("", "PersistentVolume"), ("", "Node"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("networking.k8s.io", "IngressClass"), ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "StorageClass"), ("external-secrets.io", "ClusterSecretStore"),
    ("external-secrets.io", "ClusterExternalSecret"), ("cert-manager.io", "ClusterIssuer"),
})
"""Cluster-scoped kinds the platform may meet (an AppProject whitelists them by group and kind)."""

# --- Tailscale operator (docs/components.md §8) ---------------------------------------------------

TAILSCALE_OAUTH_SECRET = "operator-oauth"
TAILSCALE_OAUTH_KEYS = ("client_id", "client_secret")
"""Name and keys of the precreated OAuth Secret the tailscale-operator chart expects."""

# --- Argo CD (docs/components.md §7) --------------------------------------------------------------

ARGOCD_API_VERSION = "argoproj.io/v1alpha1"
ARGOCD_IN_CLUSTER = "https://kubernetes.default.svc"
"""The cluster Argo CD runs in, as its Applications name it."""
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
"""Per-resource sync options, several joined by "," (docs/user-guide/sync-options.md)."""
DEFAULT_REVISIONS = {"development": "main", "production": "production"}
"""The Git revision each tier follows unless the spec says otherwise: development the main
branch, production a protected branch that a promotion moves."""
ARGOCD_VERSION_ANNOTATION = "gitopsgen.io/argocd-version"
"""Annotation of an environment's AppProject: the oldest Argo CD that reconciles the tree (spec argocd.version)."""
TIER_LABEL = "gitopsgen.io/tier"
"""Label of an environment's AppProject: `production` or `development` (what the tier rules key on)."""
APPLICATION_HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
APPLICATION_HEALTH_LUA = """hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
"""
"""argocd-cm health check for Applications, removed from Argo CD in 1.8 (argo-cd#3781); without it
sync waves between child Applications do not wait for health (docs/operator-manual/health.md)."""
BARE_FINALIZER = "resources-finalizer.argocd.argoproj.io"
FOREGROUND_FINALIZER = "resources-finalizer.argocd.argoproj.io/foreground"
"""The cascade the bare name also means, domain-qualified with a path (Argo CD v3.5.1
pkg/apis/application/v1alpha1/application_defaults.go; foreground unless `/background`,
controller/appcontroller.go)."""
FINALIZERS = frozenset({
    BARE_FINALIZER,
    FOREGROUND_FINALIZER,
    "resources-finalizer.argocd.argoproj.io/background",
})
CHART_CRD_GROUPS: dict[str, tuple[str, ...]] = {
    "cloudnative-pg": ("postgresql.cnpg.io",),
    "redis-operator": (REDIS_GROUP,),
    "external-secrets": (ESO_GROUP, "generators.external-secrets.io"),
    "tailscale-operator": ("tailscale.com",),
    "nginx-gateway-fabric": ("gateway.nginx.org",),
    "cert-manager": ("cert-manager.io", "acme.cert-manager.io"),
    "plugin-barman-cloud": (BARMAN_GROUP,),
}
"""API groups of the CRDs each operator chart installs (docs/components.md §1-§3, §8, §11; cert-manager
v1.21.1 deploy/charts/cert-manager/templates/crd-*.yaml; plugin-barman-cloud 0.7.0 templates/crds)."""
LARGE_CRD_CHARTS = frozenset({"cloudnative-pg", "external-secrets", "redis-operator", "cert-manager",
                              "nginx-gateway-fabric"})
"""Charts whose CRDs exceed the 262144-byte last-applied annotation of client-side apply (docs/components.md §7);
cert-manager v1.21.1: issuers and clusterissuers ~325 KB, challenges ~269 KB; nginx-gateway-fabric
2.6.7: nginxproxies ~664 KB."""

_RBAC = (("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"))
_CRD = (("apiextensions.k8s.io", "CustomResourceDefinition"),)
_MUTATING = (("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),)
_VALIDATING = (("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),)
_INGRESS_CLASS = (("networking.k8s.io", "IngressClass"),)
CHART_CLUSTER_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "cloudnative-pg": _CRD + _RBAC + _MUTATING + _VALIDATING,
    "redis-operator": _CRD + _RBAC + _MUTATING,
    "external-secrets": _CRD + _RBAC + _VALIDATING,
    "reloader": _RBAC,
    "ingress-nginx": _RBAC + _INGRESS_CLASS + _VALIDATING,
    "cert-manager": _CRD + _RBAC + _MUTATING + _VALIDATING,
    "plugin-barman-cloud": _CRD + _RBAC,
    "external-dns": _RBAC,
    "tailscale-operator": _CRD + _RBAC + _INGRESS_CLASS,
    "nginx-gateway-fabric": _CRD + _RBAC + (("gateway.networking.k8s.io", "GatewayClass"),),
}
"""Cluster-scoped (group, kind)s each chart's templates can create, read from the pinned charts'
templates (cloudnative-pg 0.29.0, redis-operator 0.26.1, external-secrets 2.9.0, reloader 2.2.16,
ingress-nginx 4.15.1, cert-manager v1.21.1, plugin-barman-cloud 0.7.0, external-dns 1.21.1,
tailscale-operator HEAD); an AppProject must whitelist them or Argo CD refuses the sync."""
