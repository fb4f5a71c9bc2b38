"""Lookups the platform rules share: what Secrets will exist, which containers read them, where
the operators' objects and the chart values are. Not a rule (the name starts with `_`).

Facts used (shared/reference/DOMAIN.md): ESO's effective target name is `target.name` or the
ExternalSecret's name and its keys are `data[].secretKey` plus `target.template.data` keys
(section 3); CloudNativePG generates `<cluster>-app` (unless `bootstrap.initdb.secret` is given)
and `<cluster>-superuser` only with `enableSuperuserAccess: true`, with the keys of
pkg/specs/secrets.go (section 1); Helm values files live at `values/<chart>.yaml` (layout contract).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen.manifests import Document, Identity, RenderedTree
from gitopsgen.validate import argocd
from gitopsgen.validate.rules import dig

CNPG_SECRET_KEYS = frozenset({"username", "user", "password", "dbname", "host", "port", "pgpass", "uri",
                              "jdbc-uri", "fqdn-uri", "fqdn-jdbc-uri"})
REDIS_GROUP = "redis.redis.opstreelabs.in"
REDIS_KINDS = ("Redis", "RedisReplication", "RedisSentinel", "RedisCluster")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
PodPath = tuple[str | int, ...]


def identity(doc: Document) -> Identity:
    """The identity of a manifest (rules only look at documents that have one)."""
    assert doc.identity is not None, doc.file
    return doc.identity


@dataclass(frozen=True)
class KnownSecret:
    """A Secret that will exist in the cluster and the keys it will hold."""

    namespace: str | None
    name: str
    keys: frozenset[str]
    source: str
    """Who creates it: 'ExternalSecret' or 'CloudNativePG'."""


def es_target(doc: Document) -> str:
    return str(dig(doc.data, "spec", "target", "name") or identity(doc).name)


def es_keys(doc: Document) -> frozenset[str]:
    keys = {item.get("secretKey") for item in dig(doc.data, "spec", "data", default=[]) or []
            if isinstance(item, dict)}
    template_data = dig(doc.data, "spec", "target", "template", "data", default={})
    if isinstance(template_data, dict):
        keys.update(template_data)
    return frozenset(k for k in keys if isinstance(k, str))


def known_secrets(tree: RenderedTree) -> dict[tuple[str | None, str], KnownSecret]:
    """Secrets created by ExternalSecrets and by CloudNativePG, by (namespace, name)."""
    found: dict[tuple[str | None, str], KnownSecret] = {}
    for doc in tree.manifests("ExternalSecret"):
        ns = identity(doc).namespace
        found[(ns, es_target(doc))] = KnownSecret(ns, es_target(doc), es_keys(doc), "ExternalSecret")
    for doc in tree.manifests("Cluster", "postgresql.cnpg.io/v1"):
        ident = doc.identity
        assert ident is not None
        app = dig(doc.data, "spec", "bootstrap", "initdb", "secret", "name")
        if not app:
            found[(ident.namespace, f"{ident.name}-app")] = KnownSecret(
                ident.namespace, f"{ident.name}-app", CNPG_SECRET_KEYS, "CloudNativePG")
        if dig(doc.data, "spec", "enableSuperuserAccess") is True:
            found[(ident.namespace, f"{ident.name}-superuser")] = KnownSecret(
                ident.namespace, f"{ident.name}-superuser", CNPG_SECRET_KEYS, "CloudNativePG")
    return found


def redis_docs(tree: RenderedTree, kind: str | None = None) -> Iterator[Document]:
    for doc in tree.manifests(kind):
        ident = doc.identity
        if ident is not None and ident.group == REDIS_GROUP and ident.kind in REDIS_KINDS:
            yield doc


def pod_spec_path(doc: Document) -> PodPath | None:
    """Path of the pod spec inside a workload document, or None for other kinds."""
    kind = identity(doc).kind if doc.identity else None
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    if kind in WORKLOAD_KINDS:
        return ("spec", "template", "spec")
    return None


def containers(doc: Document) -> Iterator[tuple[PodPath, dict[str, Any]]]:
    """(path, container) for every container and init container of a workload."""
    base = pod_spec_path(doc)
    if base is None:
        return
    for field in ("initContainers", "containers"):
        for i, container in enumerate(dig(doc.data, *base, field, default=[]) or []):
            if isinstance(container, dict):
                yield (*base, field, i), container


def env_entries(doc: Document) -> Iterator[tuple[PodPath, dict[str, Any]]]:
    """(path, env entry) of every container of a workload."""
    for path, container in containers(doc):
        for j, entry in enumerate(container.get("env") or []):
            if isinstance(entry, dict):
                yield (*path, "env", j), entry


def env_map(doc: Document) -> dict[str, tuple[PodPath, dict[str, Any]]]:
    """Env entries of a workload by variable name (the first container that sets it wins)."""
    found: dict[str, tuple[PodPath, dict[str, Any]]] = {}
    for path, entry in env_entries(doc):
        name = entry.get("name")
        if isinstance(name, str):
            found.setdefault(name, (path, entry))
    return found


def values_doc(tree: RenderedTree, chart: str) -> Document | None:
    """The Helm values of a chart (`values/<chart>.yaml`), when this tree renders them."""
    rendered = tree.files.get(f"values/{chart}.yaml")
    return rendered.documents[0] if rendered and rendered.documents else None


def application_for_values(tree: RenderedTree, chart: str) -> Document | None:
    """The Argo CD Application whose Helm valueFiles include `values/<chart>.yaml`."""
    for doc in argocd.applications(tree):
        if any(argocd.resolve(tree, f) == f"values/{chart}.yaml" for f in argocd.value_files(doc)):
            return doc
    return None


def chart_namespace(tree: RenderedTree, chart: str) -> str | None:
    app = application_for_values(tree, chart)
    ns = dig(app.data, "spec", "destination", "namespace") if app is not None else None
    return ns if isinstance(ns, str) else None


def cloudflared_config(tree: RenderedTree) -> Document | None:
    rendered = tree.files.get(CLOUDFLARED_CONFIG)
    return rendered.documents[0] if rendered and rendered.documents else None


CLOUDFLARED_CONFIG = "config/cloudflared/config.yaml"


def chart_application(tree: RenderedTree, chart: str) -> tuple[Document, dict[str, Any]] | None:
    """The Argo CD Application installing Helm chart `chart`, with the source that names it."""
    for doc in argocd.applications(tree):
        for source in argocd.sources(doc):
            if source.chart == chart:
                return doc, source.data
    return None


def ingress_hosts(tree: RenderedTree, class_name: str | None = None) -> Iterator[tuple[Document, int, str]]:
    """(Ingress, rule index, host) of every Ingress rule host, optionally of one ingressClassName."""
    for doc in tree.manifests("Ingress"):
        if class_name is not None and dig(doc.data, "spec", "ingressClassName") != class_name:
            continue
        for i, rule in enumerate(dig(doc.data, "spec", "rules", default=[]) or []):
            host = rule.get("host") if isinstance(rule, dict) else None
            if isinstance(host, str):
                yield doc, i, host


def nginx_class(tree: RenderedTree) -> str:
    """The IngressClass ingress-nginx serves: its values' ingressClassResource.name, else `nginx`."""
    values = values_doc(tree, "ingress-nginx")
    name = dig(values.data, "controller", "ingressClassResource", "name") if values else None
    return name if isinstance(name, str) else "nginx"


EXTERNAL_DNS_PREFIXES = ("external-dns.alpha.kubernetes.io/", "external-dns.kubernetes.io/")


def external_dns_annotations(doc: Document) -> dict[str, str]:
    """Annotations of a document that external-dns reads (either known prefix)."""
    annotations = dig(doc.data, "metadata", "annotations", default={}) or {}
    return {k: v for k, v in annotations.items() if isinstance(k, str) and k.startswith(EXTERNAL_DNS_PREFIXES)}
