"""What each environment renders: dev has no tunnel, sentinel or public DNS and prd has all
three; Secret names and keys line up with their consumers; no secret value anywhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gitopsgen.context.derive import derive
from gitopsgen.facts.secret_shapes import find_secret
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree

CONFIG = "config/cloudflared/config.yaml"


def kinds_in(tree: RenderedTree, folder: str) -> list[str]:
    return sorted(d.identity.kind for d in tree.manifests() if d.file.startswith(folder) and d.identity)


def has_tunnel(tree: RenderedTree) -> bool:
    return CONFIG in tree.files or any(f.startswith("manifests/cloudflared/") for f in tree.files)


def has_sentinel(tree: RenderedTree) -> bool:
    return any(True for _ in tree.manifests("RedisSentinel"))


def has_public_dns(tree: RenderedTree) -> bool:
    return any(key.startswith("external-dns") for d in tree.manifests()
               for key in (d.data.get("metadata", {}).get("annotations") or {}))


def test_dev_has_no_tunnel_no_sentinel_and_no_public_dns(rendered: dict[str, RenderedTree]) -> None:
    dev = rendered["dev"]
    assert (has_tunnel(dev), has_sentinel(dev), has_public_dns(dev)) == (False, False, False)
    # no backups, no PodDisruptionBudget for the single API replica
    assert kinds_in(dev, "manifests/data/") == ["Cluster", "ConfigMap", "Redis"]
    assert not any(True for _ in dev.manifests("PodDisruptionBudget"))
    assert not any(True for _ in dev.manifests("ScheduledBackup"))
    assert not {"apps/cert-manager.yaml", "apps/plugin-barman-cloud.yaml"} & set(dev.files)
    cluster = dev.get("Cluster", "example-db")
    assert cluster is not None and "plugins" not in cluster.data["spec"] and "backup" not in cluster.data["spec"]
    api = dev.get("Deployment", "example-api", "example-dev")
    assert api is not None
    env = [e["name"] for e in api.data["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert not any(name.startswith("SPRING_DATA_REDIS_SENTINEL") for name in env)
    targets = {d.identity.name for d in dev.manifests("ExternalSecret") if d.identity}
    assert targets == {"example-redis-auth", "example-api-secrets", "operator-oauth"}
    # nothing is protected from deletion in development
    assert not [d for d in dev.manifests() if "argocd.argoproj.io/sync-options" in
                (d.data["metadata"].get("annotations") or {})]


def test_prd_has_tunnel_sentinel_and_public_dns(rendered: dict[str, RenderedTree]) -> None:
    prd = rendered["prd"]
    assert (has_tunnel(prd), has_sentinel(prd), has_public_dns(prd)) == (True, True, True)
    # no PodMonitor or PrometheusRule: the example's cluster runs no Prometheus Operator (test_observability)
    assert kinds_in(prd, "manifests/data/") == ["Cluster", "ConfigMap", "ObjectStore", "RedisReplication",
                                                 "RedisSentinel", "ScheduledBackup"]
    assert kinds_in(prd, "manifests/cloudflared/") == ["ConfigMap", "Deployment", "PodDisruptionBudget"]
    assert not any(True for _ in prd.manifests("Redis"))
    targets = {d.identity.name for d in prd.manifests("ExternalSecret") if d.identity}
    assert targets == {"example-redis-auth", "example-api-secrets", "cloudflared-credentials", "cloudflare-api-token",
                       "example-db-backup-s3"}
    budgets = {d.ident.name: d.data["spec"] for d in prd.manifests("PodDisruptionBudget")
               if d.file != "manifests/namespaces/operator-pdbs.yaml"}  # the operators': test_production_availability
    assert budgets == {
        **{name: {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}}
           for name in ("example-api", "cloudflared")},
        # NGF renders no budget for the data plane it provisions: ours selects its pods
        "edge-nginx": {"maxUnavailable": 1, "selector": {"matchLabels": {
            "app.kubernetes.io/name": "edge-nginx", "gateway.networking.k8s.io/gateway-name": "edge"}}}}


def test_the_raw_cloudflared_config_is_outside_every_applied_folder(rendered: dict[str, RenderedTree]) -> None:
    prd = rendered["prd"]
    assert CONFIG in prd.files and not CONFIG.startswith("manifests/")
    assert prd.files[CONFIG].documents[0].identity is None  # a data file, not a manifest


def test_configmap_embeds_the_config_and_the_pods_roll_on_change(rendered: dict[str, RenderedTree]) -> None:
    prd = rendered["prd"]
    text = prd.files[CONFIG].text
    configmap = prd.get("ConfigMap", "cloudflared", "cloudflared")
    deployment = prd.get("Deployment", "cloudflared", "cloudflared")
    assert configmap is not None and deployment is not None
    assert configmap.data["data"]["config.yaml"] == text
    annotations = deployment.data["spec"]["template"]["metadata"]["annotations"]
    assert annotations["checksum/config"] == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_external_secrets_create_exactly_the_secrets_consumers_expect(
        rendered: dict[str, RenderedTree], repo_root: Path, env: str) -> None:
    names = derive(load(repo_root, env).model, env)
    expected = {(ref.namespace, ref.name): set(ref.keys) for ref in (
        names.secrets.redis, names.secrets.app, names.secrets.tunnel_credentials,
        names.secrets.cloudflare_api_token, names.secrets.tailscale_oauth, names.secrets.backup) if ref is not None}
    found = {}
    for doc in rendered[env].manifests("ExternalSecret"):
        spec = doc.data["spec"]
        assert doc.identity is not None and doc.identity.api_version == "external-secrets.io/v1"
        assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": names.secrets.store}
        found[(doc.identity.namespace, spec["target"]["name"])] = {d["secretKey"] for d in spec["data"]}
    assert found == expected


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_external_secrets_spell_out_eso_defaults(rendered: dict[str, RenderedTree], repo_root: Path, env: str) -> None:
    refresh = load(repo_root, env).model.secrets.refresh_interval
    for doc in rendered[env].manifests("ExternalSecret"):
        spec = doc.data["spec"]
        assert spec["refreshInterval"] == refresh
        # production Secrets outlive their ExternalSecret (no owner reference); development's go with it
        policy = "Orphan" if env == "prd" else "Owner"
        assert (spec["target"]["creationPolicy"], spec["target"]["deletionPolicy"]) == (policy, "Retain")
        assert spec["target"]["template"] == {"type": "Opaque", "engineVersion": "v2", "mergePolicy": "Replace"}
        for item in spec["data"]:
            strategies = {k: v for k, v in item["remoteRef"].items() if k != "key"}
            assert strategies == {"conversionStrategy": "Default", "decodingStrategy": "None",
                                  "metadataPolicy": "None"}


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_every_namespace_is_an_object_of_the_namespaces_application_with_pod_security(
        rendered: dict[str, RenderedTree], env: str) -> None:
    tree = rendered[env]
    declared = {d.ident.name: d for d in tree.manifests("Namespace")}
    assert {d.file for d in declared.values()} == {"manifests/namespaces/namespaces.yaml"}
    used = {d.ident.namespace for d in tree.manifests() if d.ident.namespace and d.ident.kind not in (
        "Application", "AppProject") and not d.file.startswith("bootstrap/")}  # Argo CD's own namespace
    used |= {d.data["spec"]["destination"]["namespace"] for d in tree.manifests("Application")
             if d.ident.name != f"{env}-root"}
    assert used == set(declared)
    for doc in declared.values():
        labels = doc.data["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] in ("restricted", "baseline", "privileged")
        assert labels["pod-security.kubernetes.io/warn"] == labels["pod-security.kubernetes.io/audit"] == "restricted"


def test_replicas_and_instances_follow_the_specs(rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    for env in ("dev", "prd"):
        spec = load(repo_root, env).model
        tree = rendered[env]
        api = tree.get("Deployment", spec.app.name, spec.namespace)
        cluster = tree.get("Cluster", spec.postgres.cluster_name, spec.namespace)
        assert api is not None and cluster is not None
        assert api.data["spec"]["replicas"] == spec.app.replicas
        assert cluster.data["spec"]["instances"] == spec.postgres.instances
        assert cluster.data["spec"]["enablePDB"] is (spec.postgres.instances > 1)
    assert rendered["dev"].get("Deployment", "example-api").data["spec"]["replicas"] == 1  # type: ignore[union-attr]
    assert rendered["prd"].get("Deployment", "example-api").data["spec"]["replicas"] == 2  # type: ignore[union-attr]


def test_prd_sentinel_settings_come_from_the_spec(rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    spec = load(repo_root, "prd").model
    sentinel = rendered["prd"].get("RedisSentinel", spec.redis.name, spec.namespace)
    replication = rendered["prd"].get("RedisReplication", spec.redis.name, spec.namespace)
    assert sentinel is not None and replication is not None
    assert sentinel.data["spec"]["clusterSize"] == spec.redis.sentinels  # type: ignore[union-attr]
    assert sentinel.data["spec"]["redisSentinelConfig"]["quorum"] == str(spec.redis.quorum)  # type: ignore[union-attr]
    assert replication.data["spec"]["clusterSize"] == 1 + spec.redis.replicas  # type: ignore[union-attr]
    cloudflared = rendered["prd"].get("Deployment", "cloudflared", "cloudflared")
    assert cloudflared is not None and cloudflared.data["spec"]["replicas"] == spec.edge.replicas  # type: ignore[union-attr]


def test_no_secret_value_anywhere_in_rendered(rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    files = sorted((repo_root / "rendered").rglob("*.yaml"))
    assert files, "rendered/ is committed"
    for path in files:
        text = path.read_text()
        assert find_secret(text) is None, path
        assert "kind: Secret\n" not in text, path
    for tree in rendered.values():
        for file in tree.files.values():
            assert find_secret(file.text) is None, file.path


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_actuator_answers_on_its_own_port_which_no_service_exposes(rendered: dict[str, RenderedTree], env: str) -> None:
    tree = rendered[env]
    api = tree.get("Deployment", "example-api")
    service = tree.get("Service", "example-api")
    assert api is not None and service is not None
    container = api.data["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    env_vars = {e["name"]: e.get("value") for e in container["env"]}
    assert env_vars["MANAGEMENT_SERVER_PORT"] == str(ports["management"]) != env_vars["SERVER_PORT"]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] == "management"
    assert [p["targetPort"] for p in service.data["spec"]["ports"]] == ["http"]


def test_cloudflared_starts_patiently_and_rolls_once_per_config_change(rendered: dict[str, RenderedTree]) -> None:
    deployment = rendered["prd"].get("Deployment", "cloudflared", "cloudflared")
    assert deployment is not None
    container = deployment.data["spec"]["template"]["spec"]["containers"][0]
    assert container["startupProbe"]["httpGet"]["path"] == "/ready"
    assert container["startupProbe"]["periodSeconds"] * container["startupProbe"]["failureThreshold"] >= 60
    assert container["livenessProbe"]["failureThreshold"] > 1
    # the checksum annotation rolls it on a config change; Reloader only on a credentials change
    assert deployment.data["metadata"]["annotations"] == {
        "configmaps.exclude.reloader.stakater.com/reload": "cloudflared"}


def test_nginx_trusts_the_client_address_only_from_the_pod_network(rendered: dict[str, RenderedTree]) -> None:
    prd = rendered["prd"].files["values/nginx-gateway-fabric.yaml"].documents[0].data["nginx"]
    dev = rendered["dev"].files["values/nginx-gateway-fabric.yaml"].documents[0].data["nginx"]
    assert prd["config"] == {"rewriteClientIP": {"mode": "XForwardedFor", "setIPRecursively": True,
                                                 "trustedAddresses": [{"type": "CIDR", "value": "10.244.0.0/16"}]}}
    assert "config" not in dev
    policy = rendered["prd"].get("NetworkPolicy", "edge-nginx", "nginx-gateway")
    assert policy is not None
    assert policy.data["spec"]["ingress"][0]["from"] == [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cloudflared"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "cloudflared"}}}]


def test_ingress_nginx_trusts_forwarded_headers_only_behind_the_tunnel(
        rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    rendered = rendered_ingress_nginx
    prd = rendered["prd"].files["values/ingress-nginx.yaml"].documents[0].data["controller"]
    dev = rendered["dev"].files["values/ingress-nginx.yaml"].documents[0].data["controller"]
    assert prd["config"] == {"use-forwarded-headers": "true", "forwarded-for-header": "CF-Connecting-IP",
                             "proxy-real-ip-cidr": "10.244.0.0/16"}
    assert "config" not in dev
    policy = rendered["prd"].get("NetworkPolicy", "ingress-nginx-controller", "ingress-nginx")
    assert policy is not None
    assert policy.data["spec"]["ingress"][0]["from"] == [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cloudflared"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "cloudflared"}}}]


@pytest.mark.parametrize("env", ["dev", "prd"])
def test_redis_pods_run_as_the_restricted_pod_security_standard_requires(
        rendered: dict[str, RenderedTree], env: str) -> None:
    for doc in rendered[env].manifests():
        if doc.ident.group != "redis.redis.opstreelabs.in":
            continue
        spec = doc.data["spec"]
        assert spec["podSecurityContext"]["runAsNonRoot"] is True
        assert spec["podSecurityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
        assert spec["kubernetesConfig"]["resources"]["limits"]["memory"]


def test_the_sentinels_have_their_own_password_which_the_api_uses(rendered: dict[str, RenderedTree]) -> None:
    sentinel = rendered["prd"].get("RedisSentinel", "example-redis", "example-prd")
    api = rendered["prd"].get("Deployment", "example-api", "example-prd")
    es = rendered["prd"].get("ExternalSecret", "example-redis-auth", "example-prd")
    assert sentinel is not None and api is not None and es is not None
    own = sentinel.data["spec"]["kubernetesConfig"]["redisSecret"]
    assert own == {"name": "example-redis-auth", "key": "sentinel-password"}
    env = {e["name"]: e for e in api.data["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["SPRING_DATA_REDIS_SENTINEL_PASSWORD"]["valueFrom"]["secretKeyRef"] == own
    assert {d["secretKey"]: d["remoteRef"]["key"] for d in es.data["spec"]["data"]} == {
        "password": "REDIS_PASSWORD", "sentinel-password": "REDIS_SENTINEL_PASSWORD"}
