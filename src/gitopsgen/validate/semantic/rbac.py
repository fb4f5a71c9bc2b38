"""RoleBindings and ClusterRoleBindings as the API server validates them (kubernetes/kubernetes
`pkg/apis/rbac/validation/validation.go`, `ValidateRoleBinding`, `ValidateClusterRoleBinding`,
`ValidateRoleBindingSubject`):

* `roleRef.apiGroup` is `rbac.authorization.k8s.io`; `roleRef.kind` is Role or ClusterRole
  (ClusterRole only for a ClusterRoleBinding); `roleRef.name` is required, a path segment;
* a subject has a name; its kind is ServiceAccount, User or Group; a ServiceAccount subject's name
  is a DNS-1123 subdomain, its `apiGroup` empty, and in a ClusterRoleBinding it names its
  namespace; a User or Group subject's `apiGroup` is `rbac.authorization.k8s.io` (v1 defaulting,
  `SetDefaults_Subject`, fills these when left out).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.validate import k8snames as names
from gitopsgen.validate.semantic.errors import invalid, items, mapping, required, unsupported

GROUP = "rbac.authorization.k8s.io"


def _binding(data: dict[str, Any], kinds: list[str], namespaced: bool) -> Iterator[Finding]:
    ref = mapping(data.get("roleRef"))
    if ref.get("apiGroup") not in (None, GROUP):
        yield unsupported(("roleRef", "apiGroup"), ref["apiGroup"], [GROUP])
    if ref.get("kind") is not None and ref["kind"] not in kinds:
        yield unsupported(("roleRef", "kind"), ref["kind"], kinds)
    name = ref.get("name")
    if not name:
        yield required(("roleRef", "name"))
    elif isinstance(name, str):
        for error in names.is_path_segment_name(name):
            yield invalid(("roleRef", "name"), name, error)
    for index, entry in enumerate(items(data.get("subjects"))):
        subject, at = mapping(entry), ("subjects", index)
        kind, subject_name, group = subject.get("kind"), subject.get("name"), subject.get("apiGroup")
        if not subject_name:
            yield required((*at, "name"))
        if kind == "ServiceAccount":
            if isinstance(subject_name, str) and subject_name:
                for error in names.is_dns1123_subdomain(subject_name):
                    yield invalid((*at, "name"), subject_name, error)
            if group:
                yield unsupported((*at, "apiGroup"), group, [""])
            if not namespaced and not subject.get("namespace"):
                yield required((*at, "namespace"))
        elif kind in ("User", "Group"):
            if group not in (None, "", GROUP):
                yield unsupported((*at, "apiGroup"), group, [GROUP])
        elif kind is not None:
            yield unsupported((*at, "kind"), kind, ["ServiceAccount", "User", "Group"])


def role_binding(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from _binding(data, ["Role", "ClusterRole"], namespaced=True)


def cluster_role_binding(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from _binding(data, ["ClusterRole"], namespaced=False)
