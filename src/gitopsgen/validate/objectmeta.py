"""admission-metadata, admission-embedded: what the API server demands of `metadata` and of embedded objects.

Rules, each from kubernetes/kubernetes:

* `metadata.name` is required unless `generateName` is given ("name or generateName is required"),
  and follows the kind's name rule (apimachinery `pkg/api/validation/objectmeta.go`,
  `ValidateObjectMetaAccessor`, with the kind's `ValidateNameFunc`):
  - custom resources: DNS-1123 subdomain, <= 253 (apiextensions-apiserver
    `pkg/registry/customresource/validator.go`, `NameIsDNSSubdomain`);
  - Namespace: DNS-1123 label (`ValidateNamespaceName`); Service: DNS-1035 label, starting with a
    letter (`pkg/apis/core/validation/validation.go`, `ValidateServiceName`); Role, ClusterRole,
    RoleBinding, ClusterRoleBinding: a path segment, so `system:foo` is fine
    (`pkg/apis/rbac/validation/validation.go`, `ValidateRBACName`); CronJob: subdomain and at most
    52 characters, for the 11-character job suffix (`pkg/apis/batch/validation/validation.go`,
    `ValidateCronJobCreate`); CustomResourceDefinition: `<spec.names.plural>.<spec.group>`
    (apiextensions `ValidateCustomResourceDefinition`); every other built-in kind we render:
    DNS-1123 subdomain (Pod, ConfigMap, Secret, Deployment, Ingress, ... all use
    `NameIsDNSSubdomain`);
  - a `generateName` is checked the same way with its trailing dash masked.
* `metadata.namespace`, when set, is a DNS-1123 label. On a cluster-scoped kind it is a warning,
  not an error: the API server silently clears it (apiserver `pkg/registry/rest/create.go`,
  `BeforeCreate` -> `EnsureObjectNamespaceMatchesRequestNamespace`: "cluster-scoped, clear
  namespace"), so the manifest says something that will not happen.
* Label keys are qualified names (optional DNS subdomain prefix <= 253 and `/`, then a name <= 63
  of `[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]`); label values are empty or <= 63 of the same
  charset (apimachinery `pkg/apis/meta/v1/validation`, `ValidateLabels`). Annotation keys are
  qualified names compared in lower case; all annotations together are at most 256 KiB of keys
  and values (`ValidateAnnotations`, `TotalAnnotationSizeLimitB`). Finalizers are qualified
  names (`ValidateFinalizerName`).
* An `x-kubernetes-embedded-resource` object needs a non-empty string `apiVersion` (group/version
  with at most one `/`) and `kind` (a DNS-1035 label once lower-cased); its optional `metadata`
  follows the rules above with a path-segment name rule (apiextensions-apiserver
  `pkg/apiserver/schema/objectmeta/validation.go`, `validateEmbeddedResource`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding, Severity, YamlPath
from gitopsgen.validate import k8snames as names

METADATA = "admission-metadata"
EMBEDDED = "admission-embedded"
ANNOTATIONS_LIMIT = 256 * (1 << 10)

_RBAC = "rbac.authorization.k8s.io"
NAME_RULES: dict[tuple[str, str], tuple[names.NameCheck, str]] = {
    ("", "Namespace"): (names.name_is_dns_label, "a DNS-1123 label"),
    ("", "Service"): (names.name_is_dns1035_label, "a DNS-1035 label (starting with a letter)"),
    **{(_RBAC, kind): (names.is_path_segment_name, "a path segment (no '/' or '%')")
       for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
}
SUBDOMAIN = (names.name_is_dns_subdomain, "a DNS-1123 subdomain")

CLUSTER_SCOPED_CORE: frozenset[tuple[str, str]] = frozenset({
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    (_RBAC, "ClusterRole"), (_RBAC, "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "CSIDriver"), ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"), ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"), ("networking.k8s.io", "IPAddress"), ("networking.k8s.io", "ServiceCIDR"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("certificates.k8s.io", "CertificateSigningRequest"), ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"), ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("resource.k8s.io", "DeviceClass"), ("resource.k8s.io", "ResourceSlice"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
})


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def check_metadata(data: Any, *, custom: bool, cluster_scoped: bool | None) -> list[Finding]:
    """Findings for the root `metadata` of a manifest. `custom`: a custom resource (DNS subdomain
    names); `cluster_scoped`: None when the scope is unknown."""
    if not isinstance(data, dict):
        return []
    api_version, kind = data.get("apiVersion"), data.get("kind")
    group = group_of(api_version) if isinstance(api_version, str) else ""
    kind = kind if isinstance(kind, str) else ""
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return []
    rule, described = SUBDOMAIN if custom else NAME_RULES.get((group, kind), SUBDOMAIN)
    findings = list(_meta(meta, ("metadata",), rule, described, kind or "object", METADATA, name_required=True))
    name = meta.get("name")
    if not custom and isinstance(name, str):
        findings.extend(_kind_specific(data, group, kind, name))
    namespace = meta.get("namespace")
    if cluster_scoped is None:
        cluster_scoped = not custom and (group, kind) in CLUSTER_SCOPED_CORE
    if cluster_scoped and isinstance(namespace, str) and namespace:
        findings.append(Finding(
            ("metadata", "namespace"), f"{kind} is cluster-scoped: metadata.namespace {namespace!r} is ignored",
            METADATA, Severity.WARNING,
            hint="the API server clears the namespace of a cluster-scoped object; remove it from the manifest"))
    return findings


def _kind_specific(data: dict[str, Any], group: str, kind: str, name: str) -> Iterator[Finding]:
    if (group, kind) == ("batch", "CronJob") and len(name) > 52:
        yield Finding(("metadata", "name"), f"invalid name {name!r} for CronJob: must be no more than 52 characters",
                      METADATA, hint="the CronJob controller appends an 11-character suffix; job names are <= 63")
    if (group, kind) == ("apiextensions.k8s.io", "CustomResourceDefinition"):
        spec = data.get("spec")
        crd_names = spec.get("names") if isinstance(spec, dict) else None
        plural = crd_names.get("plural") if isinstance(crd_names, dict) else None
        crd_group = spec.get("group") if isinstance(spec, dict) else None
        expected = f"{plural}.{crd_group}"
        if isinstance(plural, str) and isinstance(crd_group, str) and name != expected:
            yield Finding(("metadata", "name"), f"invalid name {name!r}: must be spec.names.plural+\".\"+spec.group "
                          f"({expected!r})", METADATA)


def check_embedded(value: dict[str, Any], path: YamlPath) -> list[Finding]:
    """Findings for an object at an `x-kubernetes-embedded-resource: true` node."""
    findings: list[Finding] = []
    for key in ("apiVersion", "kind"):
        item = value.get(key)
        if item is None or item == "":
            findings.append(Finding((*path, key), f"Required value: an embedded resource needs a non-empty {key}",
                                    EMBEDDED))
        elif not isinstance(item, str):
            findings.append(Finding((*path, key), f"{key} must be a string, got {type(item).__name__}", EMBEDDED))
        elif key == "apiVersion" and (item.count("/") > 1 or item.startswith("/") or item.endswith("/")):
            findings.append(Finding((*path, key), f"unexpected GroupVersion string: {item!r}", EMBEDDED))
        elif key == "kind" and (errors := names.is_dns1035_label(item.lower())):
            findings.append(Finding((*path, key), f"invalid kind {item!r}: may have mixed case, but should "
                                    f"otherwise match: {', '.join(errors)}", EMBEDDED))
    meta = value.get("metadata")
    if isinstance(meta, dict):
        findings.extend(_meta(meta, (*path, "metadata"), names.is_path_segment_name, "a path segment",
                              str(value.get("kind") or "embedded object"), EMBEDDED, name_required=False))
    return findings


def _meta(meta: dict[str, Any], at: YamlPath, rule: names.NameCheck, described: str, kind: str, rule_id: str,
          *, name_required: bool) -> Iterator[Finding]:
    name, generate = meta.get("name"), meta.get("generateName")
    if isinstance(generate, str) and generate and (errors := rule(generate, True)):
        yield Finding((*at, "generateName"), f"invalid generateName {generate!r} for {kind}: {'; '.join(errors)}",
                      rule_id, hint=f"names of {kind} must be {described}")
    if isinstance(name, str) and name:
        if errors := rule(name, False):
            yield Finding((*at, "name"), f"invalid name {name!r} for {kind}: {'; '.join(errors)}", rule_id,
                          hint=f"names of {kind} must be {described}")
    elif name_required and name in (None, "") and not (isinstance(generate, str) and generate):
        yield Finding((*at, "name"), "Required value: name or generateName is required", rule_id)
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace and (errors := names.name_is_dns_label(namespace)):
        yield Finding((*at, "namespace"), f"invalid namespace {namespace!r}: {'; '.join(errors)}", rule_id)
    yield from _labels(meta.get("labels"), (*at, "labels"), rule_id)
    yield from _annotations(meta.get("annotations"), (*at, "annotations"), rule_id)
    finalizers = meta.get("finalizers")
    if isinstance(finalizers, list):
        for index, finalizer in enumerate(finalizers):
            if isinstance(finalizer, str) and (errors := names.is_qualified_name(finalizer)):
                yield Finding((*at, "finalizers", index), f"invalid finalizer {finalizer!r}: {'; '.join(errors)}",
                              rule_id)


def _labels(labels: Any, at: YamlPath, rule_id: str) -> Iterator[Finding]:
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        if errors := names.is_qualified_name(key):
            yield Finding((*at, key), f"invalid label key {key!r}: {'; '.join(errors)}", rule_id)
        if isinstance(value, str) and (errors := names.is_label_value(value)):
            yield Finding((*at, key), f"invalid label value {value!r}: {'; '.join(errors)}", rule_id,
                          hint="label values are at most 63 characters; keep longer text in an annotation")


def _annotations(annotations: Any, at: YamlPath, rule_id: str) -> Iterator[Finding]:
    if not isinstance(annotations, dict):
        return
    total = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        total += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
        if errors := names.is_qualified_name(key.lower()):
            yield Finding((*at, key), f"invalid annotation key {key!r}: {'; '.join(errors)}", rule_id)
    if total > ANNOTATIONS_LIMIT:
        yield Finding(at, f"Too long: annotations take {total} bytes, must have at most {ANNOTATIONS_LIMIT} bytes",
                      rule_id)
