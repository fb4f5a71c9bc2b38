"""The edge on NGINX Gateway Fabric and the retired ingress-nginx: both controllers render and
validate in both environments, the spec refuses a controller without what it needs, and what the
NGF chart makes of our values is valid NGF configuration.

The NGF chart itself (templates) is not available offline, so the chart is not rendered with Helm
here: our values are checked against the chart's own values.schema.json (packaged store; and
against ../shared in tests/test_delivery_values.py), and the NginxProxy the chart's
`templates/nginxproxy.yaml` (nginx/nginx-gateway-fabric v2.6.7) builds from `nginx.*` is written
out by that template's mapping and validated against the NginxProxy CRD, CEL rules included.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import SchemaOptions, validate_tree
from kit import INGRESS_NGINX_CHART, mutate, with_file

ENVS = ("dev", "prd")
VALUES = "values/nginx-gateway-fabric.yaml"


def _serious(tree: RenderedTree) -> list[Problem]:
    return [p for p in validate_tree(tree, SchemaOptions("1.33")) if p.severity >= Severity.WARNING]


@pytest.mark.parametrize("env", ENVS)
def test_nginx_gateway_fabric_renders_and_validates_clean(rendered: dict[str, RenderedTree], env: str) -> None:
    tree = rendered[env]
    assert _serious(tree) == []
    kinds = {(d.ident.group, d.ident.kind) for d in tree.manifests()}
    assert {("gateway.networking.k8s.io", "Gateway"), ("gateway.networking.k8s.io", "HTTPRoute")} <= kinds
    assert ("networking.k8s.io", "Ingress") not in kinds
    notes = [p for p in validate_tree(tree, SchemaOptions("1.33")) if p.message.startswith("no schema for")]
    assert notes == []  # the packaged store knows every kind, Gateway API and NGF included


@pytest.mark.parametrize("env", ENVS)
def test_ingress_nginx_still_renders_and_validates_with_only_its_retirement_warning(
        rendered_ingress_nginx: dict[str, RenderedTree], env: str) -> None:
    tree = rendered_ingress_nginx[env]
    found = _serious(tree)
    assert [(p.rule, p.severity, p.file) for p in found] == [
        ("ingress-nginx-retired", Severity.WARNING, f"rendered/{env}/apps/ingress-nginx.yaml")]
    kinds = {(d.ident.group, d.ident.kind) for d in tree.manifests()}
    assert ("networking.k8s.io", "Ingress") in kinds
    assert not any(group == "gateway.networking.k8s.io" for group, _ in kinds)
    assert not any(p.startswith(("apps/gateway", "apps/nginx-gateway-fabric")) for p in tree.files)


def test_the_chart_values_layer_catches_a_value_the_ngf_schema_refuses(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], VALUES, lambda d: d[0]["nginx"]["service"].update(type="Ingress"))
    found = [p for p in _serious(tree) if p.rule == "chart-values"]
    assert [(p.file, p.path) for p in found] == [(f"rendered/prd/{VALUES}", "nginx.service.type")]


def _nginx_proxy(values: dict[str, Any], release: str, namespace: str) -> dict[str, Any]:
    """What charts/nginx-gateway-fabric/templates/nginxproxy.yaml (v2.6.7) renders for `nginx.*`
    with kind deployment: `nginx.config` is the spec, replicas/pod/container/image under
    kubernetes.deployment, the service under kubernetes.service."""
    nginx = values["nginx"]
    deployment: dict[str, Any] = {"container": {**nginx.get("container", {}),
                                                "image": {"repository": "ghcr.io/nginx/nginx-gateway-fabric/nginx",
                                                          "tag": "2.6.7", "pullPolicy": "IfNotPresent"}}}
    if "replicas" in nginx:
        deployment["replicas"] = nginx["replicas"]
    if "pod" in nginx:
        deployment["pod"] = nginx["pod"]
    return {"apiVersion": "gateway.nginx.org/v1alpha2", "kind": "NginxProxy",
            "metadata": {"name": f"{release}-proxy-config", "namespace": namespace},
            "spec": {**nginx.get("config", {}), "kubernetes": {"deployment": deployment,
                                                               "service": nginx.get("service", {})}}}


@pytest.mark.parametrize("env", ENVS)
def test_the_nginx_proxy_the_chart_builds_from_our_values_is_valid(rendered: dict[str, RenderedTree],
                                                                    env: str) -> None:
    tree = rendered[env]
    values = copy.deepcopy(tree.files[VALUES].documents[0].data)  # the session's tree stays as rendered
    proxy = _nginx_proxy(values, "nginx-gateway-fabric", "nginx-gateway")
    checked = with_file(tree, "manifests/gateway/nginxproxy.yaml", [proxy])
    assert [p.format() for p in _serious(checked)] == []
    if env == "prd":
        assert proxy["spec"]["kubernetes"]["deployment"]["replicas"] == 2
        assert proxy["spec"]["rewriteClientIP"]["trustedAddresses"] == [{"type": "CIDR", "value": "10.244.0.0/16"}]
        # the CRD's CEL rule: a rewrite mode without trusted addresses is refused
        proxy["spec"]["rewriteClientIP"].pop("trustedAddresses")
        broken = with_file(tree, "manifests/gateway/nginxproxy.yaml", [proxy])
        assert [p.message.partition(" (NginxProxy")[0] for p in _serious(broken) if p.rule == "cel"] == [
            "if mode is set, trustedAddresses is a required field"]


def _spec_problems(project: Path, env: str) -> list[Problem]:
    with pytest.raises(SpecError) as caught:
        load(project, env)
    return sorted(caught.value.problems)


def test_ingress_nginx_needs_its_chart_and_the_pod_network(project: Path) -> None:
    dev = project / "environments" / "dev.yaml"
    dev.write_text(dev.read_text() + "ingress:\n  controller: ingress-nginx\n")
    found = _spec_problems(project, "dev")
    assert {(p.path, p.severity) for p in found} == {("charts.ingressNginx", Severity.ERROR),
                                                   ("network.podCidr", Severity.ERROR)}
    chart = "\n".join(f"    {k}: {v}" for k, v in INGRESS_NGINX_CHART.items())
    dev.write_text(dev.read_text().replace("charts:\n", f"charts:\n  ingressNginx:\n{chart}\n", 1)
                   + "network:\n  podCidr: 10.244.0.0/16\n")
    assert load(project, "dev").model.ingress.controller == "ingress-nginx"
