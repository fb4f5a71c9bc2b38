"""The platform templates on edited specs (a scratch copy of environments/ and templates/):
spec values cannot change the YAML structure, and spec changes reach every object that depends
on them, consistently enough that every platform rule stays silent."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from gitopsgen.core.problems import Severity
from gitopsgen.run.render import render_trees
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.tree.yamlio import dig
from gitopsgen.validate import rules
from kit import find_env, replace_in


def render(root: Path, env: str) -> RenderedTree:
    return render_trees(root, [env])[0].tree




def rule_errors(tree: RenderedTree) -> list[str]:
    return [p.format() for p in rules.run(tree) if p.severity >= Severity.WARNING]


def test_hostile_spec_strings_stay_single_values(project: Path) -> None:
    hostile = 'https://api.example.com"\\n  injected: true # {x: [y]}'
    replace_in(project / "environments/defaults.yaml", "audience: https://api.example.com",
               f"audience: {json.dumps(hostile)}")
    tree = render(project, "prd")
    api = tree.get("Deployment", "example-api", "example-prd")
    assert api is not None
    container = api.data["spec"]["template"]["spec"]["containers"][0]
    entry = find_env(container, "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES")
    assert entry == {"name": "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES", "value": hostile}


def test_a_new_public_hostname_changes_config_configmap_and_checksum_together(
        project: Path, rendered: dict[str, RenderedTree]) -> None:
    replace_in(project / "environments/prd.yaml", "hostname: api.example.com", "hostname: api2.example.com")
    tree = render(project, "prd")
    config = tree.files["config/cloudflared/config.yaml"]
    assert config.documents[0].data["ingress"][0]["hostname"] == "api2.example.com"
    old = rendered["prd"].get("Deployment", "cloudflared", "cloudflared")
    new = tree.get("Deployment", "cloudflared", "cloudflared")
    assert old is not None and new is not None
    checksum = ("spec", "template", "metadata", "annotations", "checksum/config")
    assert dig(old.data, *checksum) != dig(new.data, *checksum)
    assert rule_errors(tree) == []


def test_sentinel_count_and_quorum_reach_the_sentinel_and_its_pdb(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "sentinels: 3\n  quorum: 2", "sentinels: 5\n  quorum: 3")
    tree = render(project, "prd")
    sentinel = tree.get("RedisSentinel", "example-redis", "example-prd")
    assert sentinel is not None
    spec = sentinel.data["spec"]
    assert (spec["clusterSize"], spec["redisSentinelConfig"]["quorum"], spec["pdb"]["minAvailable"]) == (5, "3", 3)
    assert rule_errors(tree) == []


def test_sentinel_pdb_always_lets_one_sentinel_go(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "quorum: 2", "quorum: 3")
    sentinel = render(project, "prd").get("RedisSentinel", "example-redis", "example-prd")
    assert sentinel is not None and sentinel.data["spec"]["pdb"]["minAvailable"] == 2


def test_extra_app_secrets_reach_the_external_secret_and_the_deployment(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "  replicas: 2\n", "  replicas: 2\n  secrets:\n"
               "    STRIPE_API_KEY: STRIPE_SECRET_KEY\n")
    tree = render(project, "prd")
    es = tree.get("ExternalSecret", "example-api-secrets", "example-prd")
    api = tree.get("Deployment", "example-api", "example-prd")
    assert es is not None and api is not None
    assert {d["secretKey"]: d["remoteRef"]["key"] for d in es.data["spec"]["data"]} == {
        "AUTH0_CLIENT_SECRET": "AUTH0_CLIENT_SECRET", "STRIPE_API_KEY": "STRIPE_SECRET_KEY"}
    assert find_env(api.data["spec"]["template"]["spec"]["containers"][0], "STRIPE_API_KEY")["valueFrom"] == {
        "secretKeyRef": {"name": "example-api-secrets", "key": "STRIPE_API_KEY"}}
    assert rule_errors(tree) == []


def test_optional_postgres_settings_render_and_match_the_strict_crd(project: Path, shared_schemas: Path) -> None:
    replace_in(project / "environments/prd.yaml", "  podAntiAffinity: required\n",
               "  podAntiAffinity: required\n  walStorage:\n    size: 5Gi\n    storageClass: premium-rwo\n"
         "  parameters:\n    max_connections: \"200\"\n")
    cluster = render(project, "prd").get("Cluster", "example-db", "example-prd")
    assert cluster is not None
    assert cluster.data["spec"]["walStorage"] == {"size": "5Gi", "storageClass": "premium-rwo"}
    assert cluster.data["spec"]["postgresql"] == {"parameters": {"max_connections": "200"}}
    schema = json.loads((shared_schemas / "crds-strict/postgresql.cnpg.io/cluster_v1.json").read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(cluster.data)) == []


def test_redis_resources_and_storage_class_reach_every_redis_cr(project: Path, shared_schemas: Path) -> None:
    replace_in(project / "environments/prd.yaml", "  storage:\n    size: 2Gi\n", "  storage:\n    size: 2Gi\n"
               "    storageClass: fast\n")
    replace_in(project / "environments/prd.yaml", "    requests: {cpu: 250m, memory: 1Gi}\n    limits: {memory: 1Gi}\n",
               "    limits: {memory: 256Mi}\n")
    tree = render(project, "prd")
    sentinel_resources = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}
    # requests come from defaults.yaml (mappings merge key by key), the limit from prd.yaml
    merged = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "256Mi"}}
    for kind, resources in (("RedisReplication", merged),
                            ("RedisSentinel", sentinel_resources)):
        doc = tree.get(kind, "example-redis", "example-prd")
        assert doc is not None
        assert doc.data["spec"]["kubernetesConfig"]["resources"] == resources
        schema_file = shared_schemas / f"crds-strict/redis.redis.opstreelabs.in/{kind.lower()}_v1beta2.json"
        assert list(jsonschema.Draft7Validator(json.loads(schema_file.read_text())).iter_errors(doc.data)) == []
    replication = tree.get("RedisReplication", "example-redis", "example-prd")
    assert replication is not None
    claim = replication.data["spec"]["storage"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "fast"
    config = tree.get("ConfigMap", "example-redis-config", "example-prd")
    assert config is not None
    expected = f"maxmemory {256 * 2**20 * 75 // 100}\nmaxmemory-policy allkeys-lru\n"
    assert config.data["data"]["redis-additional.conf"] == expected
    assert rule_errors(tree) == []


def test_render_refuses_a_broken_tunnel_config_with_its_rendered_line(project: Path) -> None:
    from gitopsgen.run.render import RenderOptions
    from gitopsgen.run.render import render as run_render

    template = project / "templates/config/cloudflared/config.yaml.j2"
    replace_in(template, "service: {{ names.ingress.controller_url | q }}",
               'service: {{ (names.ingress.controller_url ~ "/api") | q }}')
    result = run_render(RenderOptions(root=project, envs=("prd",)))
    found = [p for p in result.envs[0].problems if p.rule == "cloudflared-config"]
    text = result.envs[0].tree.files["config/cloudflared/config.yaml"].text
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if t.strip().startswith("service: http://"))
    template_line = next(n for n, t in enumerate(template.read_text().splitlines(), start=1) if '"/api"' in t)
    # not written: the template line is where to look; the rendered line exists only in memory
    assert [(p.file, p.line, p.rendered) for p in found] == [
        ("templates/config/cloudflared/config.yaml.j2", template_line,
         f"rendered/prd/config/cloudflared/config.yaml:{line}")]
    assert result.exit_code == 1
    assert not (project / "rendered/prd").exists()
