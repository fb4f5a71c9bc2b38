"""The lookups every rule (and the chart-values check) uses on a rendered tree.

Rules import this module, the tree (`gitopsgen.manifests`), `Severity`, and the fact modules
(`gitopsgen.domain`, `gitopsgen.layout`, `gitopsgen.secret_shapes`, `validate.cloudflared`);
never another rule, the derivation (`gitopsgen.context`) or the spec. A rule yields `Finding`s:
the document, the YAML path inside it and the words. The runner (`validate.rules.run`) adds the
rule id, the file shown to users, the line and the object's identity.

Facts behind the lookups (shared/reference/DOMAIN.md): ESO's effective target name is
`target.name` or the ExternalSecret's name, its keys are `data[].secretKey` plus
`target.template.data` keys (section 3); CloudNativePG generates `<cluster>-app` (unless
`bootstrap.initdb.secret` is given) and `<cluster>-superuser` only with
`enableSuperuserAccess: true` (section 1); Argo CD Applications deploy the folder of a Git
source's `path`, value files written `$<ref>/rendered/<env>/...` resolve to files of the same
tree, and Helm coalesces values files over the chart's defaults (section 7).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen import domain, layout
from gitopsgen.manifests import Document, Manifest, RenderedTree
from gitopsgen.problems import Severity
from gitopsgen.yamlio import dig, iter_paths

__all__ = ["Finding", "dig", "iter_paths"]

YamlPath = tuple[str | int, ...]
PodPath = YamlPath
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


@dataclass(frozen=True)
class Finding:
    """What a rule found: the document, the node inside it, and what to say."""

    doc: Document
    path: YamlPath
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None


@dataclass(frozen=True)
class Site:
    """A node of one environment's tree, for rules that compare environments."""

    tree: RenderedTree
    doc: Document
    path: YamlPath

    def __str__(self) -> str:
        """`rendered/<env>/<file>:<line>`, how a message names the other side of a collision."""
        line = self.tree.files[self.doc.file].line_of(self.doc.index, self.path)
        return f"{self.tree.display(self.doc.file)}:{line}" if line is not None else self.tree.display(self.doc.file)


@dataclass(frozen=True)
class CrossFinding:
    """What a cross-environment rule found: where (in one environment's tree) and what to say,
    naming the other environment's site in the message."""

    site: Site
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None


def collisions(sites: Iterator[tuple[Any, Site]]) -> Iterator[tuple[Site, Site]]:
    """(site, first) for every site whose key an earlier environment already used; `sites` come
    tree by tree in the order of the run. Sites of one environment never collide with each other."""
    first: dict[Any, Site] = {}
    for key, site in sites:
        seen = first.get(key)
        if seen is None:
            first[key] = site
        elif seen.tree.env != site.tree.env:
            yield site, seen


def name_of(doc: Document) -> str:
    """The object's name, or `?` for a data file (for messages)."""
    ident = doc.identity
    return ident.name if ident is not None else "?"


# --- Secrets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownSecret:
    """A Secret that will exist in the cluster and the keys it will hold."""

    namespace: str | None
    name: str
    keys: frozenset[str]
    source: str
    """Who creates it: 'ExternalSecret' or 'CloudNativePG'."""


def es_target(doc: Manifest) -> str:
    """The name of the Secret an ExternalSecret writes."""
    return str(dig(doc.data, "spec", "target", "name") or doc.ident.name)


def es_keys(doc: Document) -> frozenset[str]:
    """The keys of the Secret an ExternalSecret writes."""
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
        ns = doc.ident.namespace
        found[(ns, es_target(doc))] = KnownSecret(ns, es_target(doc), es_keys(doc), "ExternalSecret")
    for doc in tree.manifests("Cluster", domain.CNPG_API_VERSION):
        ns, cluster = doc.ident.namespace, doc.ident.name
        if not dig(doc.data, "spec", "bootstrap", "initdb", "secret", "name"):
            name = cluster + domain.CNPG_APP_SECRET_SUFFIX
            found[(ns, name)] = KnownSecret(ns, name, domain.CNPG_SECRET_KEYS, "CloudNativePG")
        if dig(doc.data, "spec", "enableSuperuserAccess") is True:
            name = cluster + domain.CNPG_SUPERUSER_SECRET_SUFFIX
            found[(ns, name)] = KnownSecret(ns, name, domain.CNPG_SECRET_KEYS, "CloudNativePG")
    return found


# --- Redis custom resources ---------------------------------------------------------------------


def redis_docs(tree: RenderedTree, kind: str | None = None) -> Iterator[Manifest]:
    """OT redis-operator custom resources, optionally of one kind."""
    for doc in tree.manifests(kind):
        if doc.ident.group == domain.REDIS_GROUP and doc.ident.kind in domain.REDIS_KINDS:
            yield doc


def by_namespace_and_name(docs: Iterator[Manifest]) -> dict[tuple[str | None, str], Manifest]:
    return {(d.ident.namespace, d.ident.name): d for d in docs}


# --- workloads ----------------------------------------------------------------------------------


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


def sync_options_of(doc: Document) -> set[str]:
    """The per-resource Argo CD sync options (`argocd.argoproj.io/sync-options`, comma-separated)."""
    raw = dig(doc.data, "metadata", "annotations", domain.SYNC_OPTIONS)
    return {part.strip() for part in str(raw).split(",") if part.strip()} if raw is not None else set()


def production(tree: RenderedTree) -> bool:
    """Whether the tree is a production environment: its AppProject says so (`gitopsgen.io/tier`)."""
    return any(dig(doc.data, "metadata", "labels", domain.TIER_LABEL) == "production"
               for doc in tree.manifests("AppProject", domain.ARGOCD_API_VERSION))


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


# --- Argo CD Applications -----------------------------------------------------------------------


def applications(tree: RenderedTree) -> Iterator[Manifest]:
    yield from tree.manifests("Application", domain.ARGOCD_API_VERSION)


@dataclass(frozen=True)
class Source:
    data: dict[str, Any]
    path: YamlPath
    """Where the source sits in the Application: ("spec", "source") or ("spec", "sources", i)."""

    @property
    def chart(self) -> str | None:
        chart = self.data.get("chart")
        return chart if isinstance(chart, str) else None

    @property
    def ref(self) -> str | None:
        ref = self.data.get("ref")
        return ref if isinstance(ref, str) else None


def sources(app: Document) -> list[Source]:
    """`spec.sources` when present (Argo CD then ignores `spec.source`), else `spec.source`."""
    spec = app.data.get("spec")
    if not isinstance(spec, dict):
        return []
    many = spec.get("sources")
    if isinstance(many, list) and many:
        return [Source(s, ("spec", "sources", i)) for i, s in enumerate(many) if isinstance(s, dict)]
    one = spec.get("source")
    return [Source(one, ("spec", "source"))] if isinstance(one, dict) else []


def charts(app: Document) -> list[str]:
    return [s.chart for s in sources(app) if s.chart]


def sync_options(app: Document) -> list[str]:
    options = dig(app.data, "spec", "syncPolicy", "syncOptions")
    return [o for o in options if isinstance(o, str)] if isinstance(options, list) else []


def wave(app: Document) -> int | None:
    """The sync wave (default 0), or None when the annotation is not an integer."""
    raw = dig(app.data, "metadata", "annotations", domain.SYNC_WAVE)
    if raw is None:
        return 0
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def self_heals(app: Document) -> bool:
    return dig(app.data, "spec", "syncPolicy", "automated", "selfHeal") is True


def tree_path(tree: RenderedTree, repo_path: str) -> str | None:
    """`rendered/<env>/x/y` (a path from the repository root) as `x/y` of this tree, else None."""
    clean = repo_path.strip().strip("/")
    if not tree.root_path:
        return clean
    prefix = tree.root_path + "/"
    if clean == tree.root_path:
        return ""
    return clean[len(prefix):] if clean.startswith(prefix) else None


def deployed(tree: RenderedTree, app: Document) -> list[Document]:
    """Documents that an Application's Git sources deploy from this tree (the folder of the
    source's `path`, not recursive: Argo CD's directory default)."""
    folders = set()
    for source in sources(app):
        path = source.data.get("path")
        if source.chart is None and isinstance(path, str):
            folder = tree_path(tree, path)
            if folder is not None:
                folders.add(folder)
    return [doc for path in sorted(tree.files) if path.rpartition("/")[0] in folders
            for doc in tree.files[path].documents]


def parents(tree: RenderedTree) -> dict[tuple[str, int], Manifest]:
    """(file, index) of each document an Application's Git source deploys -> that Application
    (for child Applications: their parent in the app of apps)."""
    found: dict[tuple[str, int], Manifest] = {}
    for app in applications(tree):
        for doc in deployed(tree, app):
            found[(doc.file, doc.index)] = app
    return found


def deployed_kinds(tree: RenderedTree, app: Document) -> set[tuple[str, str]]:
    """(API group, kind) of what the Application's Git sources deploy."""
    return {(doc.identity.group, doc.identity.kind) for doc in deployed(tree, app) if doc.identity is not None}


@dataclass(frozen=True)
class ValueFile:
    source: Source
    node: YamlPath
    """Where the entry sits in the Application."""
    raw: str

    @property
    def variable(self) -> str | None:
        """`values` for `$values/...`; None for a path relative to the chart."""
        if not self.raw.startswith("$"):
            return None
        return self.raw[1:].partition("/")[0]

    @property
    def repo_path(self) -> str | None:
        """The path after `$<ref>/`, from the root of the ref source's repository."""
        if self.variable is None:
            return None
        return self.raw.partition("/")[2]


def value_files(app: Document) -> Iterator[ValueFile]:
    for source in sources(app):
        entries = dig(source.data, "helm", "valueFiles")
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, str):
                    yield ValueFile(source, (*source.path, "helm", "valueFiles", i), entry)


def resolve(tree: RenderedTree, value_file: ValueFile) -> str | None:
    """The tree path of a `$<ref>/rendered/<env>/...` value file, if this render produces it."""
    repo_path = value_file.repo_path
    if repo_path is None:
        return None
    path = tree_path(tree, repo_path)
    return path if path and path in tree.files else None


def values_paths(tree: RenderedTree, app: Document, source: Source | None = None) -> list[str]:
    """Tree paths of the values files an Application (or one of its sources) reads, in order."""
    return [p for p in (resolve(tree, f) for f in value_files(app) if source is None or f.source == source)
            if p is not None]


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


def values_doc(tree: RenderedTree, chart: str) -> Document | None:
    """The Helm values of a chart (`values/<chart>.yaml`), when this tree renders them."""
    return tree.first(layout.values_file(chart))


def application_for_values(tree: RenderedTree, chart: str) -> Manifest | None:
    """The Argo CD Application whose Helm valueFiles include `values/<chart>.yaml`."""
    for doc in applications(tree):
        if layout.values_file(chart) in values_paths(tree, doc):
            return doc
    return None


def chart_namespace(tree: RenderedTree, chart: str) -> str | None:
    app = application_for_values(tree, chart)
    ns = dig(app.data, "spec", "destination", "namespace") if app is not None else None
    return ns if isinstance(ns, str) else None


def chart_application(tree: RenderedTree, chart: str) -> tuple[Manifest, Source] | None:
    """The Argo CD Application installing Helm chart `chart`, with the source that names it."""
    for doc in applications(tree):
        for source in sources(doc):
            if source.chart == chart:
                return doc, source
    return None


def coalesce(base: Any, override: Any) -> Any:
    """Helm's merge of `override` (higher precedence) onto `base`; neither is modified. Mappings
    merge key by key, anything else is replaced, and a null deletes the key ("When the YAML value
    is null ... we remove the value's key", Helm docs)."""
    if not isinstance(override, dict) or not isinstance(base, dict):
        return _drop_nulls(copy.deepcopy(override))
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = _drop_nulls(copy.deepcopy(value))
    return merged


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value


def merged_values(tree: RenderedTree, paths: list[str], defaults: Any = None) -> Any:
    """The values files at `paths` coalesced in order over `defaults`, as Helm does."""
    merged: Any = defaults if defaults is not None else {}
    for path in paths:
        doc = tree.first(path)
        merged = coalesce(merged, doc.data if doc is not None and doc.data is not None else {})
    return merged


# --- ingress, edge ------------------------------------------------------------------------------


def ingress_hosts(tree: RenderedTree, class_name: str | None = None) -> Iterator[tuple[Manifest, int, str]]:
    """(Ingress, rule index, host) of every Ingress rule host, optionally of one ingressClassName."""
    for doc in tree.manifests("Ingress"):
        if class_name is not None and dig(doc.data, "spec", "ingressClassName") != class_name:
            continue
        for i, rule in enumerate(dig(doc.data, "spec", "rules", default=[]) or []):
            host = rule.get("host") if isinstance(rule, dict) else None
            if isinstance(host, str):
                yield doc, i, host


def distinct(docs: Iterator[tuple[Manifest, int, str]]) -> list[Manifest]:
    """The Ingresses of `ingress_hosts` once each, in order."""
    seen: dict[Any, Manifest] = {}
    for doc, _, _ in docs:
        seen.setdefault(doc.ident, doc)
    return list(seen.values())


def nginx_class(tree: RenderedTree) -> str:
    """The IngressClass ingress-nginx serves: its values' ingressClassResource.name, else `nginx`."""
    values = values_doc(tree, domain.INGRESS_NGINX_CHART)
    name = dig(values.data, "controller", "ingressClassResource", "name") if values else None
    return name if isinstance(name, str) else "nginx"


def external_dns_annotations(doc: Document) -> dict[str, str]:
    """Annotations of a document that external-dns reads (either known prefix)."""
    annotations = dig(doc.data, "metadata", "annotations", default={}) or {}
    return {k: v for k, v in annotations.items()
            if isinstance(k, str) and k.startswith(domain.EXTERNAL_DNS_PREFIXES)}


def cloudflared_config(tree: RenderedTree) -> Document | None:
    """The committed tunnel config (`config/cloudflared/config.yaml`), when rendered."""
    return tree.first(layout.CLOUDFLARED_CONFIG)
