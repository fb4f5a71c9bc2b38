"""Changes the API server refuses on an existing object: immutable fields, called out as a recreate.

A manifest whose immutable field differs between the diff's sides cannot be applied over the live
object ("field is immutable"): the sync fails until the object is deleted and created again (Argo
CD's `Replace=true` sync option, or a manual delete), and deleting it deletes what depends on it
(a StatefulSet's pods, a Job's run). From kubernetes/kubernetes:

* Deployment, ReplicaSet, DaemonSet `spec.selector` (`pkg/apis/apps/validation/validation.go`,
  `ValidateDeploymentUpdate`, `ValidateReplicaSetUpdate`, `ValidateDaemonSetUpdate`:
  `ValidateImmutableField` on the selector of apps/v1);
* StatefulSet: everything in `spec` but replicas, ordinals, template, updateStrategy,
  persistentVolumeClaimRetentionPolicy and minReadySeconds (`ValidateStatefulSetUpdate`), so
  selector, serviceName, volumeClaimTemplates and podManagementPolicy;
* Job `spec.selector`, `spec.template` and `spec.completionMode` (`pkg/apis/batch/validation`,
  `validateJobSpecUpdate`);
* Service `spec.clusterIP` once set (`pkg/apis/core/validation`, `ValidateServiceUpdate`);
* PersistentVolumeClaim `spec` but its requests (`ValidatePersistentVolumeClaimUpdate`);
* Secret `type`, and the data of a ConfigMap or Secret marked `immutable: true`
  (`ValidateSecretUpdate`, `ValidateConfigMapUpdate`);
* RoleBinding and ClusterRoleBinding `roleRef` (`pkg/apis/rbac/validation`, `ValidateRoleBindingUpdate`);
* StorageClass `provisioner`, `parameters`, `reclaimPolicy`, `volumeBindingMode`
  (`pkg/apis/storage/validation`, `ValidateStorageClassUpdate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitopsgen.diff.model import Entry, Key, Note, Status
from gitopsgen.tree.yamlio import dig

if TYPE_CHECKING:
    from gitopsgen.diff.engine import Indexed

FieldPath = tuple[str, ...]
_RBAC = "rbac.authorization.k8s.io"
IMMUTABLE: dict[tuple[str, str], tuple[FieldPath, ...]] = {
    ("apps", "Deployment"): (("spec", "selector"),),
    ("apps", "ReplicaSet"): (("spec", "selector"),),
    ("apps", "DaemonSet"): (("spec", "selector"),),
    ("apps", "StatefulSet"): (("spec", "selector"), ("spec", "serviceName"), ("spec", "volumeClaimTemplates"),
                              ("spec", "podManagementPolicy")),
    ("batch", "Job"): (("spec", "selector"), ("spec", "template"), ("spec", "completionMode")),
    ("", "Service"): (("spec", "clusterIP"),),
    ("", "PersistentVolumeClaim"): (("spec", "storageClassName"), ("spec", "accessModes"), ("spec", "volumeName"),
                                    ("spec", "selector"), ("spec", "volumeMode"), ("spec", "dataSource")),
    ("", "Secret"): (("type",),),
    (_RBAC, "RoleBinding"): (("roleRef",),),
    (_RBAC, "ClusterRoleBinding"): (("roleRef",),),
    ("storage.k8s.io", "StorageClass"): (("provisioner",), ("parameters",), ("reclaimPolicy",),
                                         ("volumeBindingMode",)),
}
_DATA = {("", "ConfigMap"): ("data", "binaryData"), ("", "Secret"): ("data", "stringData")}
_UNSET = object()


def _changed(old: Any, new: Any, path: FieldPath, key: Key) -> bool:
    before, after = dig(old, *path, default=_UNSET), dig(new, *path, default=_UNSET)
    if key.kind == "Service" and path == ("spec", "clusterIP") and before in (_UNSET, None, ""):
        return False  # unset: allocated by the cluster; setting it later is the same refusal only if allocated
    return bool(before != after)


def recreations(entries: list[Entry], old: Mapping[Key, Indexed], new: Mapping[Key, Indexed]) -> list[Note]:
    """A `recreate` note for each object changed in a field the API server will not update."""
    notes = []
    for entry in entries:
        key = entry.key
        if entry.status is not Status.CHANGED or key not in old or key not in new:
            continue
        before, after = old[key].raw, new[key].raw
        fields = [".".join(p) for p in IMMUTABLE.get((key.group, key.kind), ()) if _changed(before, after, p, key)]
        data = _DATA.get((key.group, key.kind), ())
        if data and dig(before, "immutable") is True and any(
                dig(before, d, default=None) != dig(after, d, default=None) for d in data):
            fields.append(" / ".join(data) + " (immutable: true)")
        if fields:
            notes.append(Note("recreate", (
                f"{key}: {', '.join(fields)} {'changes' if len(fields) == 1 else 'change'}, which the API server "
                "refuses on an existing object (field is immutable): the sync fails until the object is deleted "
                "and created again (Argo CD sync option Replace=true, or a manual delete)"), (str(key),)))
    return notes
