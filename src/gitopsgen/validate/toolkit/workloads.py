"""Workloads, their pods, containers, env and images; Services and selectors; Redis custom resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Document, Manifest, RenderedTree
from gitopsgen.tree.memo import per_tree
from gitopsgen.tree.yamlio import dig
from gitopsgen.validate.toolkit.findings import YamlPath

PodPath = YamlPath


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def redis_docs(tree: RenderedTree, kind: str | None = None) -> Iterator[Manifest]:
    """OT redis-operator custom resources, optionally of one kind."""
    for doc in tree.manifests(kind):
        if doc.ident.group == domain.REDIS_GROUP and doc.ident.kind in domain.REDIS_KINDS:
            yield doc


def by_namespace_and_name(docs: Iterator[Manifest]) -> dict[tuple[str | None, str], Manifest]:
    return {(d.ident.namespace, d.ident.name): d for d in docs}


def pod_spec_path(doc: Document) -> PodPath | None:
    """Path of the pod spec inside a workload document, or None for other kinds."""
    kind = doc.identity.kind if doc.identity is not None else None
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    if kind in WORKLOAD_KINDS:
        return ("spec", "template", "spec")
    return None


def workloads(tree: RenderedTree) -> Iterator[tuple[Manifest, PodPath]]:
    """Every workload of the tree with the path of its pod spec."""
    return iter(per_tree(tree, "workloads", lambda: tuple(_workloads(tree))))


def _workloads(tree: RenderedTree) -> Iterator[tuple[Manifest, PodPath]]:
    for doc in tree.manifests():
        path = pod_spec_path(doc)
        if path is not None:
            yield doc, path


def containers(doc: Document) -> Iterator[tuple[PodPath, dict[str, Any]]]:
    """(path, container) for every container and init container of a workload."""
    base = pod_spec_path(doc)
    if base is None:
        return
    for key in ("initContainers", "containers"):
        for i, container in enumerate(dig(doc.data, *base, key, default=[]) or []):
            if isinstance(container, dict):
                yield (*base, key, i), container


Env = dict[str, tuple[PodPath, dict[str, Any]]]


def env_map(doc: Document) -> Env:
    """Env entries of a workload by variable name (the first container that sets it wins)."""
    found: Env = {}
    for path, container in containers(doc):
        for j, entry in enumerate(container.get("env") or []):
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str):
                found.setdefault(name, ((*path, "env", j), entry))
    return found


def secrets_read(doc: Document) -> set[str]:
    """Names of the Secrets a workload's containers read (env, envFrom, secret volumes)."""
    names: set[Any] = set()
    for _, container in containers(doc):
        names.update(dig(e, "valueFrom", "secretKeyRef", "name") for e in container.get("env") or [])
        names.update(dig(e, "secretRef", "name") for e in container.get("envFrom") or [])
    base = pod_spec_path(doc)
    if base is not None:
        names.update(dig(v, "secret", "secretName") for v in dig(doc.data, *base, "volumes", default=[]) or [])
    return {name for name in names if isinstance(name, str)}


def image_tag(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference; a registry port is not a tag."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else None
    return tag or None, digest or None


def unpinned(image: Any) -> str | None:
    """Why `image` is not pinned to a tag or digest, or None."""
    if not isinstance(image, str) or not image:
        return "no image is set"
    tag, digest = image_tag(image)
    if digest:
        return None
    if tag is None:
        return f"image {image!r} has no tag (means :latest)"
    if tag == "latest":
        return f"image {image!r} uses :latest"
    return None


def service_name(host: str, namespace: str | None) -> tuple[str, str | None]:
    """`name[.ns[.svc[.<cluster domain>]]]` -> (name, namespace); a bare name is in `namespace`.
    Anything else (an external host) gets namespace None."""
    parts = host.split(".")
    if len(parts) == 1:
        return parts[0], namespace
    if len(parts) == 2 or parts[2] == "svc":
        return parts[0], parts[1]
    return parts[0], None


def pod_host(host: str) -> tuple[str, str, str] | None:
    """`<pod>.<service>.<ns>.svc[.<cluster domain>]` (a StatefulSet pod's stable DNS name) ->
    (pod, headless service, namespace); None for anything else."""
    parts = host.split(".")
    if len(parts) >= 4 and parts[3] == "svc":
        return parts[0], parts[1], parts[2]
    return None


def replicas(doc: Document, default: int = 1) -> int:
    """`spec.replicas` of a workload (Kubernetes defaults it to 1)."""
    value = dig(doc.data, "spec", "replicas", default=default)
    return value if isinstance(value, int) else default


def selects(selector: Any, labels: Any) -> bool:
    """Whether a label selector (`matchLabels` and `matchExpressions`) selects `labels`. An empty
    selector selects everything; a missing one nothing."""
    if not isinstance(selector, dict):
        return False
    labels = labels if isinstance(labels, dict) else {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, dict):
            return False
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def namespace_labels(tree: RenderedTree, namespace: str) -> dict[str, str]:
    """Labels a namespace will carry: those of its rendered Namespace plus the name label the API
    server adds (`kubernetes.io/metadata.name`)."""
    doc = tree.get("Namespace", namespace)
    labels = dig(doc.data, "metadata", "labels", default={}) if doc is not None else {}
    return {**(labels if isinstance(labels, dict) else {}), domain.NAMESPACE_NAME_LABEL: namespace}


def disruptions_allowed(pdb: Any, replicas: int) -> int | None:
    """How many of `replicas` pods a PodDisruptionBudget spec lets go at once (percentages round
    up, as the disruption controller does), None when it sets neither field."""
    import math

    def count(value: Any) -> int | None:
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
            return math.ceil(replicas * int(value[:-1]) / 100)
        return None

    if not isinstance(pdb, dict):
        return None
    if "maxUnavailable" in pdb:
        unavailable = count(pdb["maxUnavailable"])
        return None if unavailable is None else min(unavailable, replicas)
    if "minAvailable" in pdb:
        available = count(pdb["minAvailable"])
        return None if available is None else max(replicas - available, 0)
    return None
