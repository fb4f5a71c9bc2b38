"""argocd-reloader: Reloader restarts every workload, without fighting Argo CD (DOMAIN X33, §4).

Secrets reach workloads through ExternalSecrets; when a Doppler value changes, the Secret's data
changes and only Reloader restarts the pods that use it. So the values file of every Application
installing the `reloader` chart must set:

* `reloader.autoReloadAll: true` (chart default false): every workload is treated as
  `reloader.stakater.com/auto: "true"` without per-workload annotations;
* `reloader.reloadStrategy: annotations` whenever an Application of the tree self-heals: the
  default strategy (env-vars) adds an env var to the workload, which `selfHeal: true` reverts as
  drift. The Reloader README recommends `annotations` for Argo CD and Flux.

Upstream: stakater/Reloader README ("Reload Strategies"), chart values.yaml at chart-v2.2.16.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.manifests import Document, RenderedTree
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
            yield Finding(app, ("spec",), "installs Reloader without a values file of this tree, "
                          "so autoReloadAll stays false",
                          hint="add $values/rendered/<env>/values/reloader.yaml")
            continue
        values = toolkit.merged_values(tree, paths)
        if dig(values, "reloader", "autoReloadAll") is not True:
            doc = _last_setting(tree, paths, "autoReloadAll")
            yield Finding(doc, ("reloader", "autoReloadAll"),
                          "reloader.autoReloadAll is not true: workloads are not restarted when their "
                          "Secrets change", hint="set reloader.autoReloadAll: true")
        strategy = dig(values, "reloader", "reloadStrategy")
        if self_healing and strategy != "annotations":
            doc = _last_setting(tree, paths, "reloadStrategy")
            yield Finding(doc, ("reloader", "reloadStrategy"),
                          f"reloader.reloadStrategy is {strategy or 'the default (env-vars)'} while "
                          "Applications self-heal: Argo CD reverts the env var Reloader adds",
                          hint="set reloader.reloadStrategy: annotations")
