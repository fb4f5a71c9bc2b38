"""Names NGINX Gateway Fabric and the Gateway API fix, and the pairs of versions that go together.

Upstream (nginx/nginx-gateway-fabric v2.6.7):
* the data plane of a Gateway (Deployment, Service, ServiceAccount) is named
  `<gateway>-<gatewayClassName>` (`internal/framework/controller/resource.go`,
  `CreateNginxResourceName`; past 63 characters the Gateway name is cut and an 8-hex-digit
  SHA-256 of the full name inserted), in the Gateway's namespace;
* its pods and Service select `app.kubernetes.io/name: <that name>` and
  `gateway.networking.k8s.io/gateway-name: <gateway>` (`internal/controller/provisioner/objects.go`,
  `buildLabelsAndAnnotations`); the Service has one port per listener port, `port-<n>` → `<n>`;
* the Gateway's `spec.infrastructure.annotations` are copied onto those objects, the Service
  included (same function);
* the control plane listens for its agents on 8443 behind the chart's Service port 443
  (`charts/nginx-gateway-fabric/templates/service.yaml`), pods labelled with the chart's
  selector labels (`app.kubernetes.io/name: nginx-gateway-fabric`, `app.kubernetes.io/instance:
  <release>`, `_helpers.tpl`);
* the chart installs NGF's CRDs, not the Gateway API's: its README applies
  `config/crd/gateway-api/standard` at the NGF tag, a kustomization of kubernetes-sigs/gateway-api
  `config/crd` at the pinned Gateway API tag.
"""

from __future__ import annotations

import hashlib

NGF_CHART = "nginx-gateway-fabric"
INGRESS_NGINX_CHART = "ingress-nginx"
GATEWAY_API_GROUP = "gateway.networking.k8s.io"
NGF_GROUP = "gateway.nginx.org"
GATEWAY_API_REPO = "https://github.com/kubernetes-sigs/gateway-api.git"
GATEWAY_API_CRD_PATH = "config/crd"
"""kubernetes-sigs/gateway-api: the kustomization of the standard channel's CRDs (and its
ValidatingAdmissionPolicy `safe-upgrades`), what NGF's `config/crd/gateway-api/standard` points at."""
GATEWAY_API_CLUSTER_KINDS = (("apiextensions.k8s.io", "CustomResourceDefinition"),
                             ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
                             ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"))
NGF_AGENT_PORT = 8443
NGF_HTTP_PORT = 80
NGF_DEFAULT_VERSION = "2.6.7"
GATEWAY_API_DEFAULT_VERSION = "v1.5.1"

SUPPORTED_PAIRS: dict[str, str] = {
    "2.6.7": "v1.5.1",
}
"""NGF chart version → the Gateway API version its `config/crd/gateway-api/standard`
kustomization pins (nginx/nginx-gateway-fabric v2.6.7)."""

_MAX_NAME = 63
_HASH = 8


def data_plane_name(gateway: str, gateway_class: str) -> str:
    """NGF's `CreateNginxResourceName(gateway, class)` (truncateAndHashName)."""
    full = f"{gateway}-{gateway_class}"
    if len(full) <= _MAX_NAME:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:_HASH]
    keep = _MAX_NAME - 2 - _HASH - len(gateway_class)
    return f"{gateway[:keep].rstrip('-')}-{digest}-{gateway_class}"


def data_plane_labels(gateway: str, gateway_class: str) -> dict[str, str]:
    """The selector labels of a Gateway's data-plane pods (Gateway names up to 63 characters)."""
    return {"app.kubernetes.io/name": data_plane_name(gateway, gateway_class),
            "gateway.networking.k8s.io/gateway-name": gateway}


def control_plane_labels(release: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": NGF_CHART, "app.kubernetes.io/instance": release}
