"""The app of apps: root and child Applications, checked on the rendered objects against the real
Argo CD CRD schema (v3.5.1, strict) and against the facts of the spec and DOMAIN.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from gitopsgen.context.derive import build_context
from gitopsgen.core.problems import Severity
from gitopsgen.run.render import render_trees
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.schemas import SchemaOptions, validate_tree
from kit import WAVE, apps

ENVS = ["dev", "prd"]
OPERATORS = {"cloudnative-pg": "cloudnativePg", "redis-operator": "redisOperator",
             "external-secrets": "externalSecrets", "reloader": "reloader",
             "nginx-gateway-fabric": "nginxGatewayFabric"}
EDGE_CHARTS = {"dev": {"tailscale-operator": "tailscaleOperator"},
               "prd": {"external-dns": "externalDns", "cert-manager": "certManager",
                       "plugin-barman-cloud": "barmanCloud"}}
GIT_APPS = {"namespaces": "manifests/namespaces", "secret-store": "manifests/secret-store",
            "secrets": "manifests/secrets", "data": "manifests/data", "example-api": "manifests/example-api",
            "gateway": "manifests/gateway"}


@pytest.fixture(scope="module")
def contexts(repo_root: Path) -> dict[str, dict[str, Any]]:
    return {env: build_context(load(repo_root, env)) for env in ENVS}


def _validator(shared_schemas: Path, kind: str) -> Draft7Validator:
    schema = json.loads((shared_schemas / "crds-strict" / "argoproj.io" / f"{kind}_v1alpha1.json").read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.mark.parametrize("env", ENVS)
def test_every_argocd_object_validates_against_the_strict_upstream_schema(
        rendered: dict[str, RenderedTree], shared_schemas: Path, env: str) -> None:
    checked = 0
    for doc in rendered[env].manifests():
        assert doc.identity is not None
        if doc.identity.group != "argoproj.io":
            continue
        validator = _validator(shared_schemas, doc.identity.kind.lower())
        errors = [f"{doc.file}: {'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(doc.data)]
        assert errors == []
        checked += 1
    projects = [d for d in rendered[env].manifests("AppProject")]
    assert len(projects) == 2
    assert checked == len(apps(rendered[env])) + len(projects) >= 12


@pytest.mark.parametrize("env", ENVS)
def test_our_schema_validator_finds_no_error_in_the_tree(rendered: dict[str, RenderedTree],
                                                          shared_schemas: Path, env: str) -> None:
    options = SchemaOptions("1.33", (str(shared_schemas / "crds-strict"),), strict=True)
    problems = validate_tree(rendered[env], options)
    assert [p.format() for p in problems if p.severity >= Severity.ERROR] == []


def test_each_environment_has_root_operators_layers_and_its_own_edge(rendered: dict[str, RenderedTree]) -> None:
    common = {"root", *OPERATORS, *GIT_APPS, "gateway-api-crds"}
    assert set(apps(rendered["dev"])) == common | {"tailscale-operator"}
    assert set(apps(rendered["prd"])) == common | {"cloudflared", "external-dns", "cert-manager", "plugin-barman-cloud"}
    for env in ENVS:
        values = {p for p in rendered[env].files if p.startswith("values/")}
        assert values == {f"values/{chart}.yaml" for chart in (*OPERATORS, *EDGE_CHARTS[env])}
        assert apps(rendered[env])["root"].file == "bootstrap/root.yaml"


@pytest.mark.parametrize("env", ENVS)
def test_root_application_syncs_the_apps_folder_of_its_environment(
        rendered: dict[str, RenderedTree], contexts: dict[str, dict[str, Any]], env: str) -> None:
    spec = contexts[env]["spec"]
    root = apps(rendered[env])["root"].data
    assert root["metadata"]["name"] == f"{env}-root"
    assert root["spec"]["source"] == {"repoURL": spec["argocd"]["repoURL"],
                                      "targetRevision": contexts[env]["names"].argocd.target_revision,
                                      "path": f"rendered/{env}/apps"}
    assert root["metadata"]["namespace"] == root["spec"]["destination"]["namespace"] == spec["argocd"]["namespace"]
    # the root creates Applications in Argo CD's own cluster, whatever cluster the environment runs on
    assert root["spec"]["destination"]["server"] == "https://kubernetes.default.svc"
    assert root["spec"]["project"] == f"{env}-bootstrap"
    assert root["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    # deleting the root by mistake must not cascade into the whole platform
    assert "finalizers" not in root["metadata"]
    # apps/ holds the environment's AppProject and one file per child Application, nothing else
    children = [p for p in rendered[env].files if p.startswith("apps/") and p != "apps/project.yaml"]
    assert sorted(p.removeprefix("apps/").removesuffix(".yaml") for p in children) == sorted(
        n for n in apps(rendered[env]) if n != "root")
    project = rendered[env].files["apps/project.yaml"].documents[0].data
    assert (project["kind"], project["metadata"]["name"]) == ("AppProject", env)
    bootstrap = [d.data["kind"] for p in sorted(rendered[env].files) if p.startswith("bootstrap/")
                 for d in rendered[env].files[p].documents]
    assert sorted(bootstrap) == ["AppProject", "Application", "ConfigMap"]  # argocd-cm's health check


@pytest.mark.parametrize("env", ENVS)
def test_children_share_project_destination_finalizer_automated_sync_and_retry(
        rendered: dict[str, RenderedTree], contexts: dict[str, dict[str, Any]], env: str) -> None:
    argocd = contexts[env]["spec"]["argocd"]
    retry = argocd["retry"]
    for name, doc in apps(rendered[env]).items():
        if name == "root":
            continue
        app = doc.data
        assert app["metadata"]["namespace"] == argocd["namespace"]
        assert app["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io/foreground"]
        assert app["metadata"]["name"] == f"{env}-{name}"
        assert app["spec"]["project"] == env
        assert app["spec"]["destination"]["name"] == argocd["destination"]["name"] == env
        assert "server" not in app["spec"]["destination"]
        policy = app["spec"]["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}
        # namespaces are objects of their own (with Pod Security labels), never created on the fly
        assert "CreateNamespace=true" not in policy.get("syncOptions", [])
        assert policy["retry"] == {"limit": retry["limit"], "backoff": {
            "duration": retry["backoffDuration"], "factor": retry["backoffFactor"],
            "maxDuration": retry["backoffMaxDuration"]}, "refresh": True}
        assert retry["limit"] >= 20 and retry["backoffMaxDuration"] == "10m"


@pytest.mark.parametrize("env", ENVS)
def test_chart_applications_pin_the_spec_chart_and_read_values_from_git(
        rendered: dict[str, RenderedTree], contexts: dict[str, dict[str, Any]], env: str) -> None:
    spec = contexts[env]["spec"]
    for name, key in {**OPERATORS, **EDGE_CHARTS[env]}.items():
        chart = spec["charts"][key]
        app = apps(rendered[env])[name].data
        assert "source" not in app["spec"]
        helm_source, values_source = app["spec"]["sources"]
        # an OCI registry without its scheme: Argo CD's Helm OCI sources name registry/path and chart
        assert (helm_source["repoURL"], helm_source["chart"], helm_source["targetRevision"]) == (
            chart["repoURL"].removeprefix("oci://"), chart["chart"], chart["version"])
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", helm_source["targetRevision"])  # pinned, no range
        assert helm_source["helm"]["valueFiles"] == [f"$values/rendered/{env}/values/{chart['chart']}.yaml"]
        assert values_source == {"repoURL": spec["argocd"]["repoURL"],
                                 "targetRevision": contexts[env]["names"].argocd.target_revision, "ref": "values"}
        assert app["spec"]["destination"]["namespace"] == chart["namespace"]
        # explicit everywhere: Argo CD would otherwise use the (environment-prefixed) Application name
        assert helm_source["helm"]["releaseName"] == chart["releaseName"]


@pytest.mark.parametrize("env", ENVS)
def test_every_values_path_names_a_file_of_the_same_render(rendered: dict[str, RenderedTree], env: str) -> None:
    tree = rendered[env]
    used = set()
    for doc in apps(tree).values():
        for source in doc.data["spec"].get("sources", []):
            for value_file in source.get("helm", {}).get("valueFiles", []):
                variable, _, repo_path = value_file.partition("/")
                assert variable == "$values"
                assert any(s.get("ref") == "values" and "chart" not in s for s in doc.data["spec"]["sources"])
                assert repo_path.startswith(f"rendered/{env}/")
                path = repo_path.removeprefix(f"rendered/{env}/")
                assert path in tree.files, value_file
                used.add(path)
    assert used == {p for p in tree.files if p.startswith("values/")}  # and no values file is orphaned


@pytest.mark.parametrize("env", ENVS)
def test_git_applications_point_at_their_manifest_folders(
        rendered: dict[str, RenderedTree], contexts: dict[str, dict[str, Any]], env: str) -> None:
    spec = contexts[env]["spec"]
    expected = dict(GIT_APPS)
    if env == "prd":
        expected["cloudflared"] = "manifests/cloudflared"
    for name, folder in expected.items():
        source = apps(rendered[env])[name].data["spec"]["source"]
        assert source == {"repoURL": spec["argocd"]["repoURL"],
                          "targetRevision": contexts[env]["names"].argocd.target_revision,
                          "path": f"rendered/{env}/{folder}"}


@pytest.mark.parametrize("env", ENVS)
def test_operators_with_large_crds_use_server_side_apply_and_cr_layers_skip_dry_run(
        rendered: dict[str, RenderedTree], env: str) -> None:
    def options(name: str) -> list[str]:
        return list(apps(rendered[env])[name].data["spec"]["syncPolicy"].get("syncOptions", []))

    for name in ("cloudnative-pg", "redis-operator", "external-secrets", "nginx-gateway-fabric", "gateway-api-crds"):
        assert "ServerSideApply=true" in options(name)
    for name in ("secret-store", "secrets", "data", "gateway"):
        assert "SkipDryRunOnMissingResource=true" in options(name)
    for name in ("reloader", "example-api", "namespaces"):
        assert "syncOptions" not in apps(rendered[env])[name].data["spec"]["syncPolicy"]


@pytest.mark.parametrize("env", ENVS)
def test_sync_waves_order_operators_store_secrets_data_app_edge(rendered: dict[str, RenderedTree], env: str) -> None:
    waves = {name: int(doc.data["metadata"]["annotations"][WAVE])
             for name, doc in apps(rendered[env]).items() if name != "root"}
    operators = {waves[n] for n in OPERATORS}
    assert len(operators) == 1
    assert waves["namespaces"] < waves["gateway-api-crds"] < min(operators)
    assert max(operators) < waves["gateway"] == waves["example-api"]
    assert max(operators) < waves["secret-store"] < waves["secrets"] < waves["data"] < waves["example-api"]
    if env == "prd":
        assert waves["namespaces"] < waves["cert-manager"] < waves["plugin-barman-cloud"] < waves["data"]
    edge = {"dev": ["tailscale-operator"], "prd": ["cloudflared", "external-dns"]}[env]
    for name in edge:
        # edge charts read Secrets that ExternalSecrets create; cloudflared fronts the running app
        assert waves[name] > waves["example-api"] > waves["secrets"]


@pytest.mark.parametrize("env", ENVS)
def test_data_plane_service_is_the_one_cloudflared_targets(
        rendered: dict[str, RenderedTree], contexts: dict[str, dict[str, Any]], env: str) -> None:
    names = contexts[env]["names"]
    gateway = rendered[env].files["manifests/gateway/gateway.yaml"].documents[0].data
    values = rendered[env].files["values/nginx-gateway-fabric.yaml"].documents[0].data
    # NGF names a Gateway's data plane "<gateway>-<gatewayClassName>", in the Gateway's namespace
    # (internal/framework/controller/resource.go, CreateNginxResourceName)
    assert gateway["spec"]["gatewayClassName"] == values["nginxGateway"]["gatewayClassName"] == names.ingress.class_name
    service = f"{gateway['metadata']['name']}-{gateway['spec']['gatewayClassName']}"
    assert service == names.ingress.controller_service == "edge-nginx"
    port = gateway["spec"]["listeners"][0]["port"]
    assert names.ingress.controller_url == (
        f"http://{service}.{gateway['metadata']['namespace']}.svc.cluster.local:{port}")


@pytest.mark.parametrize("env", ENVS)
def test_gateway_api_crds_come_from_the_pinned_tag_and_survive_deletion(
        rendered: dict[str, RenderedTree], contexts: dict[str, dict[str, Any]], env: str) -> None:
    source = apps(rendered[env])["gateway-api-crds"].data["spec"]["source"]
    assert source["repoURL"] == "https://github.com/kubernetes-sigs/gateway-api.git"
    assert source["targetRevision"] == contexts[env]["spec"]["ingress"]["gatewayApiVersion"] == "v1.5.1"
    assert source["path"] == "config/crd"
    assert "Delete=false" in source["kustomize"]["commonAnnotations"]["argocd.argoproj.io/sync-options"]


@pytest.mark.parametrize("env", ENVS)
def test_ingress_controller_service_is_the_one_cloudflared_targets(
        rendered_ingress_nginx: dict[str, RenderedTree], env: str) -> None:
    rendered = rendered_ingress_nginx
    app = apps(rendered[env])["ingress-nginx"].data
    release = app["spec"]["sources"][0]["helm"]["releaseName"]
    # ingress-nginx _helpers.tpl: fullname = release if it contains the chart name, else
    # "<release>-ingress-nginx"; the controller Service is "<fullname>-controller" (DOMAIN §9).
    fullname = release if "ingress-nginx" in release else f"{release}-ingress-nginx"
    namespace = app["spec"]["destination"]["namespace"]
    if env == "prd":
        config = rendered[env].files["config/cloudflared/config.yaml"].documents[0].data
        assert config["ingress"][0]["service"] == f"http://{fullname}-controller.{namespace}.svc.cluster.local:80"
    values = rendered[env].files["values/ingress-nginx.yaml"].documents[0].data
    assert not {"fullnameOverride", "nameOverride"} & set(values)
    assert values["controller"]["ingressClassResource"]["name"] == "nginx"
    assert "syncOptions" not in app["spec"]["syncPolicy"]


def test_a_destination_by_server_replaces_the_cluster_name(project: Path, shared_schemas: Path) -> None:
    spec = project / "environments" / "prd.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("    name: prd ", "    server: https://prd.example.com:6443 "))
    tree = render_trees(project, ["prd"])[0].tree
    validator = _validator(shared_schemas, "application")
    for name, doc in apps(tree).items():
        expected = "https://kubernetes.default.svc" if name == "root" else "https://prd.example.com:6443"
        assert doc.data["spec"]["destination"]["server"] == expected
        assert "name" not in doc.data["spec"]["destination"]
        assert list(validator.iter_errors(doc.data)) == []
    project_doc = tree.files["apps/project.yaml"].documents[0].data
    assert {d.get("server") for d in project_doc["spec"]["destinations"]} == {"https://prd.example.com:6443"}


def test_hostile_spec_strings_stay_scalars_in_applications(project: Path) -> None:
    defaults = project / "environments" / "defaults.yaml"
    hostile = 'https://git.example.com/o/r.git?a=#b:{c:[d]}&e="f"\'g\'*h'
    defaults.write_text(defaults.read_text().replace(
        "repoURL: https://github.com/example-org/platform-gitops.git", f"repoURL: {json.dumps(hostile)}"))
    tree = render_trees(project, ["dev"])[0].tree
    for name, doc in apps(tree).items():
        if name == "gateway-api-crds":
            continue  # the Gateway API's own repository
        spec = doc.data["spec"]
        repos = [s["repoURL"] for s in spec["sources"] if "ref" in s] if "sources" in spec else [
            spec["source"]["repoURL"]]
        assert repos == [hostile]
