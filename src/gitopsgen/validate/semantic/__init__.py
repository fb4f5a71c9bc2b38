"""The API server's own validation of built-in kinds, beyond their OpenAPI schemas.

The API server decodes an object (quantities must parse), then runs the kind's `Validate...`
function from `k8s.io/kubernetes/pkg/apis/<group>/validation` with apimachinery's helpers; what
those refuse, `kubectl apply --dry-run=server` and Argo CD refuse too, while the OpenAPI schema
passes it. One module per area, each check citing the upstream function it ports:

| module | kinds | upstream |
|---|---|---|
| `workloads` | Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob | `pkg/apis/{apps,batch}/validation` |
| `pods` | Pod, PodTemplate and every pod template above | `pkg/apis/core/validation` (`ValidatePodSpec`) |
| `services` | Service, Ingress | `pkg/apis/core/validation`, `pkg/apis/networking/validation` |
| `networkpolicy` | NetworkPolicy | `pkg/apis/networking/validation` |
| `policy` | PodDisruptionBudget | `pkg/apis/policy/validation` |
| `configdata` | ConfigMap, Secret | `pkg/apis/core/validation` + apimachinery `IsConfigMapKey` |
| `autoscaling` | HorizontalPodAutoscaler | `pkg/apis/autoscaling/validation` |
| `rbac` | RoleBinding, ClusterRoleBinding | `pkg/apis/rbac/validation` |
| `selectors`, `quantity` | (helpers) | apimachinery `metav1/validation`, `api/resource` |

Messages are upstream's field errors (`errors`): "Invalid value: -1: must be greater than or
equal to 0" at the field's path. Rule id `api-validation`. Names, namespaces, labels and
annotations of `metadata` are `objectmeta`'s (rule `admission-metadata`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.validate.semantic import (
    autoscaling,
    configdata,
    networkpolicy,
    pods,
    policy,
    rbac,
    services,
    workloads,
)
from gitopsgen.validate.semantic.errors import mapping

Check = Callable[[dict[str, Any], str], Iterator[Finding]]


def _pod(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from pods.pod_spec(data.get("spec"), ("spec",), version)


def _pod_template(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from pods.pod_template(mapping(data.get("template")), ("template",), version)


CHECKS: dict[tuple[str, str], Check] = {
    ("apps", "Deployment"): workloads.deployment,
    ("apps", "ReplicaSet"): workloads.replica_set,
    ("apps", "StatefulSet"): workloads.stateful_set,
    ("apps", "DaemonSet"): workloads.daemon_set,
    ("batch", "Job"): workloads.job,
    ("batch", "CronJob"): workloads.cron_job,
    ("", "Pod"): _pod,
    ("", "PodTemplate"): _pod_template,
    ("", "Service"): services.service,
    ("", "ConfigMap"): configdata.config_map,
    ("", "Secret"): configdata.secret,
    ("networking.k8s.io", "Ingress"): services.ingress,
    ("networking.k8s.io", "NetworkPolicy"): networkpolicy.network_policy,
    ("policy", "PodDisruptionBudget"): policy.pod_disruption_budget,
    ("autoscaling", "HorizontalPodAutoscaler"): autoscaling.horizontal_pod_autoscaler,
    (rbac.GROUP, "RoleBinding"): rbac.role_binding,
    (rbac.GROUP, "ClusterRoleBinding"): rbac.cluster_role_binding,
}


def check(data: Any, version: str) -> list[Finding]:
    """Findings of the API server's validation of the built-in object `data` (Kubernetes `version`, `1.33`)."""
    if not isinstance(data, dict) or not isinstance(data.get("apiVersion"), str):
        return []
    group = data["apiVersion"].rpartition("/")[0]
    found = CHECKS.get((group, str(data.get("kind"))))
    return sorted(set(found(data, version))) if found is not None else []
