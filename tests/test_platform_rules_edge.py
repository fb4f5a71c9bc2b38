"""Edge rules (DOMAIN X20-X27) at file:line on mutated copies of the real trees. Chart values
and Applications belong to the delivery layer; where a rule reads them, the test adds the
minimal documents it needs, laid out as the output contract says (values/<chart>.yaml, apps/)."""

from __future__ import annotations

from typing import Any

from gitopsgen.manifests import RenderedTree
from gitopsgen.validate.rules import (
    cloudflared_wiring,
    edge_dns_annotations,
    edge_tailscale,
    edge_tunnel_routes,
    external_dns_values,
    ingress_backends,
)
from platform_support import errors, line_with, mutate, where, with_file

CONFIG = "config/cloudflared/config.yaml"
CM = "manifests/cloudflared/configmap.yaml"
CF = "manifests/cloudflared/deployment.yaml"
ING = "manifests/example-api/ingress.yaml"
ALPHA = "external-dns.alpha.kubernetes.io/"


def _pod(docs: list[Any]) -> dict[str, Any]:
    return docs[0]["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def _chart_app(name: str, chart: str, namespace: str, release: str | None = None) -> dict[str, Any]:
    helm: dict[str, Any] = {"valueFiles": [f"$values/rendered/prd/values/{chart}.yaml"]}
    if release:
        helm["releaseName"] = release
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"project": "default",
                     "sources": [{"repoURL": "https://charts.example.invalid", "chart": chart,
                                  "targetRevision": "1.0.0", "helm": helm},
                                 {"repoURL": "https://example.invalid/repo.git", "ref": "values"}],
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}}}


# --- cloudflared-wiring (X20, X25) -------------------------------------------------------------

def test_configmap_must_hold_the_committed_config(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CM, lambda d: d[0]["data"].update({"config.yaml": "tunnel: other\n"}))
    found = errors(cloudflared_wiring, tree)
    assert (f"rendered/prd/{CM}", line_with(tree, CM, "config.yaml:")) in where(found)


def test_checksum_annotation_must_follow_the_config(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: d[0]["spec"]["template"]["metadata"]["annotations"]
                  .update({"checksum/config": "0" * 64}))
    found = errors(cloudflared_wiring, tree)
    assert where(found) == [(f"rendered/prd/{CF}", line_with(tree, CF, "    metadata:"))]
    assert "would not roll the pods" in found[0].message


def test_probes_must_use_the_metrics_port(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: _pod(d)["containers"][0]["livenessProbe"]["httpGet"]
                  .update(port=2001))
    assert where(errors(cloudflared_wiring, tree)) == [(f"rendered/prd/{CF}", line_with(tree, CF, "livenessProbe:"))]
    named = mutate(rendered["prd"], CF, lambda d: _pod(d)["containers"][0]["readinessProbe"]["httpGet"]
                   .update(port="metrics"))
    assert errors(cloudflared_wiring, named) == []


def test_config_directory_must_be_a_configmap_mount(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: _pod(d)["containers"][0]["volumeMounts"][0]
                  .update(mountPath="/etc/cloudflared"))
    assert where(errors(cloudflared_wiring, tree)) == [(f"rendered/prd/{CF}", line_with(tree, CF, "args:"))]


def test_credentials_file_must_be_in_the_secret_mount(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: _pod(d)["volumes"][1]["secret"]["items"][0]
                  .update(path="tunnel.json"))
    found = errors(cloudflared_wiring, tree)
    assert where(found) == [(f"rendered/prd/{CF}", line_with(tree, CF, "- name: creds", 2))]
    assert "has no file 'credentials.json'" in found[0].message


# --- edge-tunnel-routes (X21, X22) -------------------------------------------------------------

def test_ingress_host_without_tunnel_rule_and_dead_rule_are_both_flagged(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["spec"]["rules"][0].update(host="www.example.com"))
    assert where(errors(edge_tunnel_routes, tree)) == [
        (f"rendered/prd/{ING}", line_with(tree, ING, "host: www.example.com")),
        (f"rendered/prd/{CONFIG}", line_with(tree, CONFIG, "hostname: api.example.com")),
    ]


def test_wildcard_tunnel_rule_covers_subdomain_hosts(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CONFIG, lambda d: d[0]["ingress"][0].update(hostname="*.example.com"))
    assert errors(edge_tunnel_routes, tree) == []


def test_tunnel_service_must_be_the_ingress_nginx_controller(rendered: dict[str, RenderedTree]) -> None:
    renamed = with_file(rendered["prd"], "apps/ingress-nginx.yaml",
                        [_chart_app("ingress-nginx", "ingress-nginx", "ingress-nginx", release="edge")])
    found = errors(edge_tunnel_routes, renamed)
    assert where(found) == [(f"rendered/prd/{CONFIG}", line_with(renamed, CONFIG, "service: http://"))]
    assert "edge-ingress-nginx-controller.ingress-nginx.svc.cluster.local:80" in found[0].message
    default = with_file(rendered["prd"], "apps/ingress-nginx.yaml",
                        [_chart_app("ingress-nginx", "ingress-nginx", "ingress-nginx")])
    assert errors(edge_tunnel_routes, default) == []


def test_ingress_hosts_must_lie_under_the_domain_filters(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["prd"], "values/external-dns.yaml", [{"domainFilters": ["example.org"]}])
    assert where(errors(edge_tunnel_routes, tree)) == [(f"rendered/prd/{ING}", line_with(tree, ING, "host:"))]
    inside = with_file(rendered["prd"], "values/external-dns.yaml", [{"domainFilters": ["example.com"]}])
    assert errors(edge_tunnel_routes, inside) == []


# --- edge-dns-annotations (X23) ----------------------------------------------------------------

def test_public_ingress_must_be_proxied(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["metadata"]["annotations"]
                  .update({ALPHA + "cloudflare-proxied": "false"}))
    assert where(errors(edge_dns_annotations, tree)) == [
        (f"rendered/prd/{ING}", line_with(tree, ING, "cloudflare-proxied"))]


def test_public_ingress_target_must_be_the_tunnel(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["metadata"]["annotations"]
                  .update({ALPHA + "target": "lb.example.com"}))
    assert where(errors(edge_dns_annotations, tree)) == [
        (f"rendered/prd/{ING}", line_with(tree, ING, "target: lb.example.com"))]


def test_annotation_prefix_must_match_the_external_dns_values(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["prd"], "values/external-dns.yaml",
                     [{"annotationPrefix": "external-dns.kubernetes.io/"}])
    found = errors(edge_dns_annotations, tree)
    assert where(found) == [(f"rendered/prd/{ING}", line_with(tree, ING, "metadata:"))]
    assert "external-dns.kubernetes.io/target" in found[0].message


# --- external-dns-values (X24) -----------------------------------------------------------------

def test_external_dns_values_need_cloudflare_policy_owner_and_token_ref(rendered: dict[str, RenderedTree]) -> None:
    values = {"provider": {"name": "aws"}, "txtOwnerId": "default",
              "env": [{"name": "CF_API_TOKEN", "value": "x"}, {"name": "CF_API_KEY", "value": "y"}]}
    tree = with_file(rendered["prd"], "values/external-dns.yaml", [values])
    path = "rendered/prd/values/external-dns.yaml"
    assert sorted(where(errors(external_dns_values, tree))) == sorted([
        (path, line_with(tree, "values/external-dns.yaml", "provider:")),
        (path, 1),  # policy missing: reported at the document
        (path, line_with(tree, "values/external-dns.yaml", "txtOwnerId:")),
        (path, line_with(tree, "values/external-dns.yaml", "- name: CF_API_TOKEN")),
        (path, line_with(tree, "values/external-dns.yaml", "- name: CF_API_KEY")),
    ])


# --- ingress-backends (X26) --------------------------------------------------------------------

def test_ingress_backend_port_must_exist_on_the_service(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], ING, lambda d: d[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
                  .update(port={"name": "web"}))
    found = errors(ingress_backends, tree)
    assert where(found) == [(f"rendered/dev/{ING}", line_with(tree, ING, "port:"))]
    assert found[0].hint == "its ports: http/8080"


def test_ingress_backend_service_must_be_rendered(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], ING, lambda d: d[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
                  .update(name="api"))
    assert where(errors(ingress_backends, tree)) == [(f"rendered/prd/{ING}", line_with(tree, ING, "name: api"))]


def test_ingress_class_must_be_the_one_ingress_nginx_serves(rendered: dict[str, RenderedTree]) -> None:
    values = {"controller": {"ingressClassResource": {"name": "nginx-public"}}}
    tree = with_file(rendered["prd"], "values/ingress-nginx.yaml", [values])
    assert where(errors(ingress_backends, tree)) == [(f"rendered/prd/{ING}", line_with(tree, ING, "ingressClassName:"))]


# --- edge-tailscale (X27) ----------------------------------------------------------------------

def _tailscale_values(hostname: str) -> dict[str, Any]:
    return {"controller": {"service": {"type": "LoadBalancer", "loadBalancerClass": "tailscale",
                                       "annotations": {"tailscale.com/hostname": hostname}}}}


def test_dev_ingress_host_must_be_the_tailscale_hostname(rendered: dict[str, RenderedTree]) -> None:
    good = with_file(rendered["dev"], "values/ingress-nginx.yaml", [_tailscale_values("example-api-dev")])
    assert errors(edge_tailscale, good) == []
    other = with_file(rendered["dev"], "values/ingress-nginx.yaml", [_tailscale_values("api-dev")])
    assert where(errors(edge_tailscale, other)) == [(f"rendered/dev/{ING}", line_with(other, ING, "host:"))]


def test_tailscale_hostname_must_be_a_dns_label(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["dev"], "values/ingress-nginx.yaml", [_tailscale_values("Example_API")])
    found = errors(edge_tailscale, tree)
    values_line = line_with(tree, "values/ingress-nginx.yaml", "tailscale.com/hostname")
    assert ("rendered/dev/values/ingress-nginx.yaml", values_line) in where(found)


def test_dev_must_not_publish_dns_or_run_a_tunnel(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], ING, lambda d: d[0]["metadata"].update(annotations={ALPHA + "target": "x.example"}))
    tree = with_file(tree, CONFIG, [{"tunnel": "t", "ingress": [{"service": "http_status:404"}]}])
    assert sorted(where(errors(edge_tailscale, tree))) == [
        (f"rendered/dev/{CONFIG}", 1),
        (f"rendered/dev/{ING}", line_with(tree, ING, "target: x.example")),
    ]
