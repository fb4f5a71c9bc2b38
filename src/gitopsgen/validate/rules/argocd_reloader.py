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
from gitopsgen.problems import Problem
from gitopsgen.validate import argocd
from gitopsgen.validate.charts import coalesce
from gitopsgen.validate.rules import dig, finding

ID = "argocd-reloader"


def _last_setting(tree: RenderedTree, paths: list[str], key: str) -> Document:
    """The values document of highest precedence that sets `reloader.<key>` (else the last one)."""
    docs = [tree.files[p].documents[0] for p in paths if tree.files[p].documents]
    setting = [d for d in docs if dig(d.data, "reloader", key) is not None]
    return (setting or docs)[-1]


def check(tree: RenderedTree) -> Iterator[Problem]:
    apps = list(argocd.applications(tree))
    self_healing = any(argocd.self_heals(a) for a in apps)
    for app in apps:
        if "reloader" not in argocd.charts(app):
            continue
        paths = [p for p in (argocd.resolve(tree, f) for f in argocd.value_files(app)) if p]
        if not paths:
            yield finding(tree, app, ("spec",), "installs Reloader without a values file of this tree, "
                          "so autoReloadAll stays false", rule=ID,
                          hint="add $values/rendered/<env>/values/reloader.yaml")
            continue
        values: object = {}
        for path in paths:
            docs = tree.files[path].documents
            values = coalesce(values, docs[0].data if docs and docs[0].data is not None else {})
        if dig(values, "reloader", "autoReloadAll") is not True:
            doc = _last_setting(tree, paths, "autoReloadAll")
            yield finding(tree, doc, ("reloader", "autoReloadAll"),
                          "reloader.autoReloadAll is not true: workloads are not restarted when their "
                          "Secrets change", rule=ID, hint="set reloader.autoReloadAll: true")
        strategy = dig(values, "reloader", "reloadStrategy")
        if self_healing and strategy != "annotations":
            doc = _last_setting(tree, paths, "reloadStrategy")
            yield finding(tree, doc, ("reloader", "reloadStrategy"),
                          f"reloader.reloadStrategy is {strategy or 'the default (env-vars)'} while "
                          "Applications self-heal: Argo CD reverts the env var Reloader adds", rule=ID,
                          hint="set reloader.reloadStrategy: annotations")
