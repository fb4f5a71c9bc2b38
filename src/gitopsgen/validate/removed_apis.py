"""Built-in API versions the API server no longer serves: (apiVersion, kind) -> what replaces it
and the Kubernetes release that stopped serving it.

From the Kubernetes deprecated API migration guide (kubernetes/website,
`content/en/docs/reference/using-api/deprecation-guide.md`, "Removed APIs by release"). A
manifest with one of these versions is refused by every current cluster ("no matches for kind"),
so it is an error, never a note asking for a CRD.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Removed:
    replacement: str
    """The apiVersion to use instead, or a sentence when nothing replaces the kind."""
    removed_in: str
    """The Kubernetes release that stopped serving it (`1.22`)."""


_NO_PSP = "nothing: Pod Security Admission (namespace labels) or a policy engine takes its place"


def _table() -> dict[tuple[str, str], Removed]:
    table: dict[tuple[str, str], Removed] = {}

    def add(release: str, replacement: str, kinds: tuple[str, ...], *versions: str) -> None:
        for version in versions:
            for kind in kinds:
                table[(version, kind)] = Removed(replacement, release)

    # v1.16
    add("1.16", "networking.k8s.io/v1", ("NetworkPolicy",), "extensions/v1beta1")
    add("1.16", _NO_PSP, ("PodSecurityPolicy",), "extensions/v1beta1")  # its successor, policy/v1beta1, went in 1.25
    add("1.16", "apps/v1", ("DaemonSet",), "extensions/v1beta1", "apps/v1beta2")
    add("1.16", "apps/v1", ("Deployment", "ReplicaSet"), "extensions/v1beta1", "apps/v1beta1", "apps/v1beta2")
    add("1.16", "apps/v1", ("StatefulSet",), "apps/v1beta1", "apps/v1beta2")
    # v1.22
    add("1.22", "admissionregistration.k8s.io/v1",
        ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "admissionregistration.k8s.io/v1beta1")
    add("1.22", "apiextensions.k8s.io/v1", ("CustomResourceDefinition",), "apiextensions.k8s.io/v1beta1")
    add("1.22", "apiregistration.k8s.io/v1", ("APIService",), "apiregistration.k8s.io/v1beta1")
    add("1.22", "authentication.k8s.io/v1", ("TokenReview",), "authentication.k8s.io/v1beta1")
    add("1.22", "authorization.k8s.io/v1",
        ("LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"), "authorization.k8s.io/v1beta1")
    add("1.22", "certificates.k8s.io/v1", ("CertificateSigningRequest",), "certificates.k8s.io/v1beta1")
    add("1.22", "coordination.k8s.io/v1", ("Lease",), "coordination.k8s.io/v1beta1")
    add("1.22", "networking.k8s.io/v1", ("Ingress",), "extensions/v1beta1", "networking.k8s.io/v1beta1")
    add("1.22", "networking.k8s.io/v1", ("IngressClass",), "networking.k8s.io/v1beta1")
    add("1.22", "rbac.authorization.k8s.io/v1", ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
        "rbac.authorization.k8s.io/v1beta1")
    add("1.22", "scheduling.k8s.io/v1", ("PriorityClass",), "scheduling.k8s.io/v1beta1")
    add("1.22", "storage.k8s.io/v1", ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
        "storage.k8s.io/v1beta1")
    # v1.25
    add("1.25", "batch/v1", ("CronJob",), "batch/v1beta1")
    add("1.25", "discovery.k8s.io/v1", ("EndpointSlice",), "discovery.k8s.io/v1beta1")
    add("1.25", "events.k8s.io/v1", ("Event",), "events.k8s.io/v1beta1")
    add("1.25", "autoscaling/v2", ("HorizontalPodAutoscaler",), "autoscaling/v2beta1")
    add("1.25", "policy/v1", ("PodDisruptionBudget",), "policy/v1beta1")
    add("1.25", _NO_PSP, ("PodSecurityPolicy",), "policy/v1beta1")
    add("1.25", "node.k8s.io/v1", ("RuntimeClass",), "node.k8s.io/v1beta1")
    # v1.26, v1.27, v1.29, v1.32
    add("1.26", "flowcontrol.apiserver.k8s.io/v1", ("FlowSchema", "PriorityLevelConfiguration"),
        "flowcontrol.apiserver.k8s.io/v1beta1")
    add("1.26", "autoscaling/v2", ("HorizontalPodAutoscaler",), "autoscaling/v2beta2")
    add("1.27", "storage.k8s.io/v1", ("CSIStorageCapacity",), "storage.k8s.io/v1beta1")
    add("1.29", "flowcontrol.apiserver.k8s.io/v1", ("FlowSchema", "PriorityLevelConfiguration"),
        "flowcontrol.apiserver.k8s.io/v1beta2")
    add("1.32", "flowcontrol.apiserver.k8s.io/v1", ("FlowSchema", "PriorityLevelConfiguration"),
        "flowcontrol.apiserver.k8s.io/v1beta3")
    return table


REMOVED = _table()


def removed(api_version: str, kind: str) -> Removed | None:
    return REMOVED.get((api_version, kind))


def message(api_version: str, kind: str, found: Removed) -> tuple[str, str]:
    """(message, hint) for a manifest of a removed API version."""
    if "/" in found.replacement:
        return (f"{kind} {api_version} is no longer served since Kubernetes {found.removed_in}: "
                f"use {found.replacement}", f"change apiVersion to {found.replacement} "
                "(the Kubernetes deprecated API migration guide lists the field changes)")
    return (f"{kind} {api_version} is no longer served since Kubernetes {found.removed_in}; "
            f"it is replaced by {found.replacement}", "remove the object")
