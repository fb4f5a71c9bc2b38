"""A second HTTP service exposed through the edge without forking: templates added beside the
packaged ones (`[templates] add = true`) deploy it with the platform's Application macro and its
own Ingress (with the DNS annotations, as the API's); `edge.additionalHostnames` makes the tunnel
route its hostname to the ingress controller. The edge rules check all of it: without the
hostname in the spec the tunnel does not route the Ingress (`edge-tunnel-routes`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.validate import ValidateOptions, validate
from kit import cli, replace_in
from test_repository_templates import APP, DEPLOYMENT

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  namespace: {{ spec.namespace }}
spec:
  selector: {app.kubernetes.io/name: podinfo}
  ports:
    - {name: http, port: 9898, targetPort: 9898}
"""
INGRESS = """\
{% if spec.edge.type == "cloudflare" %}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: podinfo
  namespace: {{ spec.namespace }}
  annotations:
    {{ spec.externalDns.annotationPrefix }}target: {{ names.edge.tunnel_target | q }}
    {{ spec.externalDns.annotationPrefix }}cloudflare-proxied: "true"
spec:
  ingressClassName: {{ names.ingress.class_name }}
  rules:
    - host: podinfo.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: podinfo, port: {name: http}}
{% endif %}
"""


@pytest.fixture
def platform(tmp_path: Path) -> Path:
    root = tmp_path / "platform"
    assert cli("init", root).returncode == 0
    with (root / "gitopsgen.toml").open("a") as handle:
        handle.write("\n[templates]\nadd = true\n")
    files = {"apps/podinfo.yaml.j2": APP, "manifests/podinfo/deployment.yaml.j2": DEPLOYMENT,
             "manifests/podinfo/service.yaml.j2": SERVICE, "manifests/podinfo/ingress.yaml.j2": INGRESS}
    for name, text in files.items():
        (root / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "templates" / name).write_text(text)
    return root


def test_the_second_hostname_is_routed_by_the_tunnel(platform: Path) -> None:
    replace_in(platform / "environments" / "prd.yaml", "  type: cloudflare\n",
               "  type: cloudflare\n  additionalHostnames: [podinfo.example.com]\n")
    result = render(RenderOptions(root=platform, all_envs=True))
    assert result.exit_code == 0, [p.format() for e in result.envs for p in e.problems]
    config = yaml.safe_load((platform / "rendered" / "prd" / "config" / "cloudflared" / "config.yaml").read_text())
    assert [r.get("hostname") for r in config["ingress"]] == ["api.example.com", "podinfo.example.com", None]
    assert config["ingress"][1]["service"] == config["ingress"][0]["service"]  # the ingress controller
    ingress = yaml.safe_load((platform / "rendered" / "prd" / "manifests" / "podinfo" / "ingress.yaml").read_text())
    assert ingress["spec"]["rules"][0]["host"] == "podinfo.example.com"
    assert not (platform / "rendered" / "dev" / "manifests" / "podinfo" / "ingress.yaml").exists()


def test_without_the_hostname_in_the_spec_the_tunnel_does_not_route_it(platform: Path) -> None:
    found = validate(ValidateOptions(root=platform, all_envs=True))
    routes = [p for p in found.problems if p.rule == "edge-tunnel-routes"]
    assert found.exit_code == 1 and routes and "podinfo.example.com" in routes[0].message
