"""argocd-application-health: sync waves between child Applications wait for health.

Argo CD removed the health assessment of `argoproj.io/Application` in 1.8: in an app of apps,
a child counts as synced as soon as it is created, so the next wave starts while the operators
of the previous one are still starting, and custom resources race their webhooks. The health
check has to be restored in `argocd-cm` (`resource.customizations.health.argoproj.io_Application`,
a Lua script returning `obj.status.health`). That ConfigMap belongs to the Argo CD installation,
so the tree ships the one key as a partial ConfigMap in `bootstrap/`, applied server-side with
the root (README, "Bootstrapping a cluster"), and this rule checks the tree carries it:

* when the Applications deployed by another Application use more than one sync wave, the tree has
  `bootstrap/argocd-cm.yaml`: the ConfigMap `argocd-cm` in the namespace of the root Application,
  with `data.resource.customizations.health.argoproj.io_Application`;
* that script reads `obj.status.health` (the upstream check).

In fleet mode the environment's tree has no bootstrap (the fleet's ApplicationSet creates the root
and `rendered/_fleet/argocd-cm.yaml` carries the check), and the rule has nothing to check there.

Upstream: Argo CD docs/operator-manual/health.md ("Argocd App"), argo-cd#3781.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain, layout
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-application-health"
ROOT = "bootstrap/root.yaml"


def check(tree: RenderedTree) -> Iterator[Finding]:
    parents = toolkit.parents(tree)
    children = [app for app in toolkit.applications(tree) if (app.file, app.index) in parents]
    waves = {toolkit.wave(app) for app in children}
    if len(waves) < 2:
        return
    root = tree.first(ROOT)
    if root is None:
        return  # fleet mode: rendered/_fleet/ holds the check
    patch = tree.first(layout.ARGOCD_CM)
    if patch is None:
        first = min(children, key=lambda a: (a.file, a.index))
        yield Finding(("metadata", "annotations", domain.SYNC_WAVE),
                      f"child Applications use {len(waves)} sync waves, but the tree carries no argocd-cm health "
                      "check for Applications: the waves would not wait for health",
                      hint=f"render {layout.ARGOCD_CM} and apply it server-side with the root", doc=first)
        return
    namespace = dig(root.data, "metadata", "namespace")
    if (dig(patch.data, "kind"), dig(patch.data, "metadata", "name")) != ("ConfigMap", "argocd-cm") or \
            dig(patch.data, "metadata", "namespace") != namespace:
        yield Finding(("metadata",) if isinstance(patch.data, dict) and "metadata" in patch.data else (),
                      f"is not the ConfigMap argocd-cm in {namespace}, the namespace of the root Application",
                      hint="apiVersion: v1, kind: ConfigMap, metadata: {name: argocd-cm, namespace: <Argo CD's>}",
                      doc=patch)
        return
    script = dig(patch.data, "data", domain.APPLICATION_HEALTH_KEY)
    if not isinstance(script, str):
        yield Finding(("data",) if isinstance(patch.data, dict) and "data" in patch.data else (),
                      f"argocd-cm has no data.{domain.APPLICATION_HEALTH_KEY}", doc=patch)
    elif "obj.status.health" not in script:
        yield Finding(("data", domain.APPLICATION_HEALTH_KEY),
                      "the Application health check does not read obj.status.health",
                      hint="use the Lua script of Argo CD's docs (operator-manual/health.md)", doc=patch)
