"""pod-security: every workload in a namespace that enforces a Pod Security Standards level meets it.

A Namespace labelled `pod-security.kubernetes.io/enforce: baseline` or `restricted` makes the API
server reject pods that break the level: a Deployment that breaks it is accepted and synced by
Argo CD, and then never gets a pod (the ReplicaSet's events say why). This rule applies the same
checks to the pod template of every Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and
CronJob of the tree whose namespace (a Namespace of the tree) enforces a level, so a hand-written
manifest cannot slip through.

baseline: no host namespaces (hostNetwork, hostPID, hostIPC), no privileged container, only the
default capabilities added (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT), no hostPath volume, no hostPort,
no `Unconfined` seccomp or AppArmor profile, procMount `Default`.
restricted, in addition: volumes of the types configMap, csi, downwardAPI, emptyDir, ephemeral,
persistentVolumeClaim, projected and secret only; every container sets
`allowPrivilegeEscalation: false`, drops ALL capabilities and adds none but NET_BIND_SERVICE;
`runAsNonRoot: true` (the pod's or every container's) and no `runAsUser: 0`; a seccomp profile
of type RuntimeDefault or Localhost (the pod's or every container's). As upstream, a pod with
`hostUsers: false` (its own user namespace) is not held to runAsNonRoot and runAsUser.

Not checked here (rare in manifests, see upstream): sysctls, SELinux options, Windows host
process. Upstream: kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/
(check_*.go, one file per check) and the Pod Security Standards page of the Kubernetes docs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig

ID = "pod-security"
LABEL = "pod-security.kubernetes.io/enforce"
LEVELS = ("baseline", "restricted")
POD_SPEC: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",), "Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
DEFAULT_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                  "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})
RESTRICTED_VOLUMES_ALLOWED = frozenset({"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                                        "persistentVolumeClaim", "projected", "secret"})
SECCOMP_ALLOWED = ("RuntimeDefault", "Localhost")


def check(tree: RenderedTree) -> Iterator[Finding]:
    levels = {ns.ident.name: str(dig(ns.data, "metadata", "labels", LABEL, default="") or "")
              for ns in tree.manifests("Namespace")}
    for kind, at in POD_SPEC.items():
        for doc in tree.manifests(kind):
            level = levels.get(doc.ident.namespace or "", "")
            pod = dig(doc.data, *at, default=None)
            if level in LEVELS and isinstance(pod, dict):
                for message in violations(pod, level):
                    yield Finding(at, f"breaks Pod Security {level!r} of namespace "
                                  f"{doc.ident.namespace}: {message}",
                                  hint="the API server rejects its pods; fix the pod template (or the namespace's "
                                       f"{LABEL} label)", doc=doc)


def violations(pod: dict[str, Any], level: str) -> list[str]:
    """What `pod` (a PodSpec) breaks of `level`, one sentence per check."""
    found = list(_baseline(pod))
    if level == "restricted":
        found.extend(_restricted(pod))
    return found


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for key in ("initContainers", "containers", "ephemeralContainers")
            for c in pod.get(key) or [] if isinstance(c, dict)]


def _context(container: dict[str, Any]) -> dict[str, Any]:
    context = container.get("securityContext")
    return context if isinstance(context, dict) else {}


def _names(containers: list[dict[str, Any]]) -> str:
    return ", ".join(repr(c.get("name", "?")) for c in containers)


def _baseline(pod: dict[str, Any]) -> Iterator[str]:
    containers = _containers(pod)
    pod_context = pod.get("securityContext") if isinstance(pod.get("securityContext"), dict) else {}
    assert isinstance(pod_context, dict)
    host = [f for f in ("hostNetwork", "hostPID", "hostIPC") if pod.get(f) is True]
    if host:
        yield f"host namespaces: {', '.join(host)} must not be true"
    if bad := [c for c in containers if _context(c).get("privileged") is True]:
        yield f"container(s) {_names(bad)} must not set securityContext.privileged=true"
    added = {str(cap) for c in containers for cap in dig(_context(c), "capabilities", "add", default=[]) or []}
    if extra := sorted(added - DEFAULT_CAPABILITIES):
        yield f"capabilities {', '.join(extra)} are not in the default set (securityContext.capabilities.add)"
    if paths := [v.get("name", "?") for v in pod.get("volumes") or [] if isinstance(v, dict) and "hostPath" in v]:
        yield f"hostPath volume(s) {', '.join(map(repr, paths))}"
    ports = [p.get("hostPort") for c in containers for p in c.get("ports") or [] if isinstance(p, dict)]
    if used := sorted({int(p) for p in ports if isinstance(p, int) and p != 0}):
        yield f"hostPort(s) {', '.join(map(str, used))}"
    contexts = [pod_context, *(_context(c) for c in containers)]
    if any(dig(x, "seccompProfile", "type", default=None) == "Unconfined" for x in contexts):
        yield "seccompProfile.type must not be Unconfined"
    if any(dig(x, "appArmorProfile", "type", default=None) == "Unconfined" for x in contexts):
        yield "appArmorProfile.type must not be Unconfined"
    if bad := [c for c in containers if _context(c).get("procMount") not in (None, "Default")]:
        yield f"container(s) {_names(bad)} must not set securityContext.procMount other than Default"


def _restricted(pod: dict[str, Any]) -> Iterator[str]:
    containers = _containers(pod)
    pod_context = pod.get("securityContext") if isinstance(pod.get("securityContext"), dict) else {}
    assert isinstance(pod_context, dict)
    volumes = [v for v in pod.get("volumes") or [] if isinstance(v, dict)]
    if bad_volumes := [v.get("name", "?") for v in volumes if not (set(v) - {"name"}) <= RESTRICTED_VOLUMES_ALLOWED]:
        yield f"volume(s) {', '.join(map(repr, bad_volumes))} have restricted types"
    if bad := [c for c in containers if _context(c).get("allowPrivilegeEscalation") is not False]:
        yield f"container(s) {_names(bad)} must set securityContext.allowPrivilegeEscalation=false"
    if bad := [c for c in containers if "ALL" not in (dig(_context(c), "capabilities", "drop", default=[]) or [])]:
        yield f'container(s) {_names(bad)} must set securityContext.capabilities.drop=["ALL"]'
    added = {str(cap) for c in containers for cap in dig(_context(c), "capabilities", "add", default=[]) or []}
    if extra := sorted(added - {"NET_BIND_SERVICE"}):
        yield f"capabilities {', '.join(extra)} must not be added (only NET_BIND_SERVICE)"
    if pod.get("hostUsers") is not False:  # a pod in its own user namespace is exempt upstream (KEP-127)
        yield from _runs_as_non_root(pod_context, containers)
    yield from _seccomp(pod_context, containers)


def _runs_as_non_root(pod_context: dict[str, Any], containers: list[dict[str, Any]]) -> Iterator[str]:
    pod_says = pod_context.get("runAsNonRoot")
    if pod_says is False or any(_context(c).get("runAsNonRoot") is False for c in containers):
        yield "securityContext.runAsNonRoot must not be false"
    elif pod_says is not True and (bad := [c for c in containers if _context(c).get("runAsNonRoot") is not True]):
        yield f"pod or container(s) {_names(bad)} must set securityContext.runAsNonRoot=true"
    if pod_context.get("runAsUser") == 0 or any(_context(c).get("runAsUser") == 0 for c in containers):
        yield "securityContext.runAsUser must not be 0"


def _seccomp(pod_context: dict[str, Any], containers: list[dict[str, Any]]) -> Iterator[str]:
    pod_type = dig(pod_context, "seccompProfile", "type", default=None)
    types = [dig(_context(c), "seccompProfile", "type", default=None) for c in containers]
    if (pod_type is not None and pod_type not in SECCOMP_ALLOWED) or \
            any(t is not None and t not in SECCOMP_ALLOWED for t in types):
        if pod_type != "Unconfined" and "Unconfined" not in types:  # baseline said so already
            yield f"seccompProfile.type must be {' or '.join(SECCOMP_ALLOWED)}"
    elif pod_type is None and (bad := [c for c, t in zip(containers, types, strict=True) if t is None]):
        yield f"pod or container(s) {_names(bad)} must set securityContext.seccompProfile.type to RuntimeDefault " \
              "or Localhost"

