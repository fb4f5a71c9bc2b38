"""The edge controller's names: NGINX Gateway Fabric (a Gateway and its NGINX data plane) or the
retired ingress-nginx. `context.derive` calls these; the facts about upstream are in
`spec.edge_names` (NGF) and `domain` (ingress-nginx)."""

from __future__ import annotations

from gitopsgen.context.names import IngressNames, Spread
from gitopsgen.facts import domain, edge_names
from gitopsgen.spec.models import CloudflareEdge, Environment

NGF_AGENT_PORT = edge_names.NGF_AGENT_PORT
GATEWAY_API_SOURCE = {"repo": edge_names.GATEWAY_API_REPO, "path": edge_names.GATEWAY_API_CRD_PATH}
"""Where the gateway-api-crds Application reads the Gateway API CRDs (templates: `gateway_api`)."""


def argo_repo_url(repo_url: str) -> str:
    """The repoURL Argo CD wants for a Helm chart: an OCI registry without its `oci://` scheme
    (Argo CD user guide, Helm: "Helm OCI" repositories name registry and path only)."""
    return repo_url.removeprefix("oci://")


def extra_source_repos(spec: Environment) -> list[str]:
    """Git repositories besides ours and the charts' that the AppProject must allow."""
    return [edge_names.GATEWAY_API_REPO] if spec.ingress.controller == "nginx-gateway-fabric" else []


def extra_cluster_kinds(spec: Environment) -> list[tuple[str, str]]:
    """Cluster-scoped kinds of sources that are not charts (the Gateway API CRDs)."""
    if spec.ingress.controller == "nginx-gateway-fabric":
        return list(edge_names.GATEWAY_API_CLUSTER_KINDS)
    return []


def edge_controller(spec: Environment, spreading: Spread) -> IngressNames:
    production = spec.tier == "production"
    replicas = spec.ingress.replicas or (2 if production else 1)
    spread = spreading if replicas > 1 else None
    tunnel = isinstance(spec.edge, CloudflareEdge)
    if spec.ingress.controller == "ingress-nginx":
        nginx = spec.charts.ingress_nginx
        assert nginx is not None  # guaranteed by spec rules
        controller = domain.ingress_controller_service(nginx.release_name)
        forwarded = None
        if tunnel and spec.network.pod_cidr is not None:
            # cloudflared keeps Cloudflare's X-Forwarded-Proto and puts the client in CF-Connecting-IP;
            # only connections from the pod network (the tunnel) may set them.
            forwarded = {"use-forwarded-headers": "true", "forwarded-for-header": "CF-Connecting-IP",
                         "proxy-real-ip-cidr": spec.network.pod_cidr}
        return IngressNames(
            class_name=spec.ingress.class_name, release=nginx.release_name, namespace=nginx.namespace,
            controller_service=controller,
            controller_url=f"http://{controller}.{nginx.namespace}.svc.cluster.local:{domain.INGRESS_NGINX_HTTP_PORT}",
            controller_labels=domain.ingress_controller_pod_labels(nginx.release_name),
            replicas=replicas, spread=spread, forwarded_headers=forwarded,
        )
    ngf = spec.charts.nginx_gateway_fabric
    assert ngf is not None  # guaranteed by spec rules
    gateway, gateway_class = spec.ingress.gateway_name, spec.ingress.class_name
    service = edge_names.data_plane_name(gateway, gateway_class)
    resources = {part: values for part in ("requests", "limits")
                 if (values := getattr(spec.ingress.resources, part).model_dump(exclude_none=True))}
    return IngressNames(
        class_name=gateway_class, release=ngf.release_name, namespace=ngf.namespace, controller_service=service,
        controller_url=f"http://{service}.{ngf.namespace}.svc.cluster.local:{edge_names.NGF_HTTP_PORT}",
        controller_labels=edge_names.data_plane_labels(gateway, gateway_class), replicas=replicas, spread=spread,
        forwarded_headers=None, controller="nginx-gateway-fabric", chart_key="nginxGatewayFabric", gateway=gateway,
        gateway_api_version=spec.ingress.gateway_api_version,
        control_plane_labels=edge_names.control_plane_labels(ngf.release_name),
        trusted_cidr=spec.network.pod_cidr if tunnel else None, resources=resources or None,
    )
