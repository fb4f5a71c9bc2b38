"""argocd-reloader: Reloader restarts every workload, without fighting Argo CD.

Facts: docs/components.md §4.

Secrets reach workloads through ExternalSecrets; when a Doppler value changes, the Secret's data
changes and only Reloader restarts the pods that use it. So the values file of every Application
installing the `reloader` chart must set:

* `reloader.autoReloadAll: true` (chart default false): every workload is treated as
  `reloader.stakater.com/auto: "true"` without per-workload annotations;
* `reloader.reloadStrategy: annotations` whenever an Application of the tree self-heals: the
  default strategy (env-vars) adds an env var to the workload, which `selfHeal: true` reverts as
  drift. The Reloader README recommends `annotations` for Argo CD and Flux;
* a scope: `watchGlobally: false` with `namespaces` (chart 2.2.16's scoped mode: one Role per
  namespace, no ClusterRole), or at least `ignoreNamespaces`/`namespaceSelector`. With the chart
  default, autoReloadAll restarts workloads in every namespace, `kube-system` and `argocd`
  included, and Reloader reads every Secret of the cluster. In scoped mode, every namespace where
  a workload reads a Secret that an ExternalSecret delivers must be watched (warning), or a
  rotated Doppler value never reaches the pods.

And every workload whose pod template carries a `checksum/...` annotation (it rolls itself when
its config changes, as the cloudflared Deployment does) must exclude the ConfigMaps it mounts
from Reloader (`configmaps.exclude.reloader.stakater.com/reload`) or opt out
(`reloader.stakater.com/auto: "false"`): otherwise one config change rolls it twice.

Upstream: stakater/Reloader README ("Reload Strategies", `--namespaces-to-ignore`,
`--namespace-selector`), chart values.yaml and templates/role.yaml at chart-v2.2.16,
internal/pkg/options/flags.go (exclude annotations).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-reloader"


def _last_setting(tree: RenderedTree, paths: list[str], key: str) -> Document:
    """The values document of highest precedence that sets `reloader.<key>` (else the last one)."""
    docs = [doc for doc in map(tree.first, paths) if doc is not None]
    setting = [d for d in docs if dig(d.data, "reloader", key) is not None]
    return (setting or docs)[-1]


def check(tree: RenderedTree) -> Iterator[Finding]:
    apps = list(toolkit.applications(tree))
    self_healing = any(toolkit.self_heals(a) for a in apps)
    for app in apps:
        if "reloader" not in toolkit.charts(app):
            continue
        paths = toolkit.values_paths(tree, app)
        if not paths:
            yield Finding(("spec",), "installs Reloader without a values file of this tree, "
                          "so autoReloadAll stays false",
                          hint="add $values/rendered/<env>/values/reloader.yaml", doc=app)
            continue
        values = toolkit.merged_values(tree, paths)
        if dig(values, "reloader", "autoReloadAll") is not True:
            doc = _last_setting(tree, paths, "autoReloadAll")
            yield Finding(("reloader", "autoReloadAll"),
                          "reloader.autoReloadAll is not true: workloads are not restarted when their "
                          "Secrets change", hint="set reloader.autoReloadAll: true", doc=doc)
        strategy = dig(values, "reloader", "reloadStrategy")
        if self_healing and strategy != "annotations":
            doc = _last_setting(tree, paths, "reloadStrategy")
            yield Finding(("reloader", "reloadStrategy"),
                          f"reloader.reloadStrategy is {strategy or 'the default (env-vars)'} while "
                          "Applications self-heal: Argo CD reverts the env var Reloader adds",
                          hint="set reloader.reloadStrategy: annotations", doc=doc)
        yield from _scope(tree, paths, values)
    yield from _double_rolls(tree)


def _scope(tree: RenderedTree, paths: list[str], values: object) -> Iterator[Finding]:
    watched = dig(values, "reloader", "namespaces")
    scoped = dig(values, "reloader", "watchGlobally", default=True) is False and bool(watched)
    limited = bool(dig(values, "reloader", "ignoreNamespaces")) or bool(dig(values, "reloader", "namespaceSelector"))
    if not scoped and not limited:
        doc = _last_setting(tree, paths, "watchGlobally")
        yield Finding(("reloader", "watchGlobally"),
                      "Reloader watches every namespace: autoReloadAll restarts workloads in kube-system and "
                      "argocd too, and Reloader can read every Secret of the cluster",
                      hint="set reloader.watchGlobally: false and reloader.namespaces to the namespaces it serves",
                      doc=doc)
        return
    if not scoped:
        return
    listed = set(watched) if isinstance(watched, list) else {str(watched)}
    delivered = {key for key, secret in toolkit.known_secrets(tree).items() if secret.source == "ExternalSecret"}
    for doc, _ in toolkit.workloads(tree):
        ns = doc.ident.namespace
        if ns not in listed and any((ns, name) in delivered for name in toolkit.secrets_read(doc)):
            yield Finding(("reloader", "namespaces"),
                          f"namespace {ns!r} is not watched, but {doc.ident} reads Secrets from ExternalSecrets "
                          "there: a rotated value never reaches its pods", severity=Severity.WARNING,
                          hint=f"add {ns} to reloader.namespaces", doc=_last_setting(tree, paths, "namespaces"))


def _double_rolls(tree: RenderedTree) -> Iterator[Finding]:
    for doc, pod in toolkit.workloads(tree):
        template_annotations = dig(doc.data, *pod[:-1], "metadata", "annotations", default={}) or {}
        if not any(str(key).startswith("checksum/") for key in template_annotations):
            continue
        annotations = dig(doc.data, "metadata", "annotations", default={}) or {}
        if str(annotations.get("reloader.stakater.com/auto", "")).lower() == "false":
            continue
        excluded = {name.strip() for name in str(annotations.get(domain.RELOADER_CONFIGMAP_EXCLUDE, "")).split(",")}
        volumes = dig(doc.data, *pod, "volumes", default=[]) or []
        mounted = sorted({str(v["configMap"].get("name")) for v in volumes
                          if isinstance(v, dict) and isinstance(v.get("configMap"), dict)})
        for name in mounted:
            if name not in excluded:
                yield Finding(("metadata",),
                              f"rolls itself when ConfigMap {name!r} changes (checksum annotation) and Reloader "
                              "rolls it again", hint=f"annotate {domain.RELOADER_CONFIGMAP_EXCLUDE}: {name}", doc=doc)
