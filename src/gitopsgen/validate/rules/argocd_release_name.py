"""argocd-release-name: every Helm source names its release.

Argo CD installs a Helm chart under `spec.source(s)[].helm.releaseName`, and without one under the
Application's name. Application names carry the environment here (`prd-ingress-nginx`), and
renaming an Application must never rename a release: a new release name means a reinstall under
new object names (the ingress-nginx controller Service is `<release>-controller`, which the tunnel
points at), while the old objects are pruned. So every source with a `chart` sets
`helm.releaseName`.

Upstream: Argo CD docs/user-guide/helm.md ("Helm Release Name": by default the release name is
the Application name), ingress-nginx chart `_helpers.tpl` (fullname from the release name).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-release-name"


def check(tree: RenderedTree) -> Iterator[Finding]:
    for app in toolkit.applications(tree):
        for source in toolkit.sources(app):
            if source.chart is None or dig(source.data, "helm", "releaseName"):
                continue
            where = (*source.path, "helm") if isinstance(source.data.get("helm"), dict) else source.path
            yield Finding(where, f"chart {source.chart} is installed without helm.releaseName: the release "
                          f"is named after the Application ({app.ident.name}) and renaming it reinstalls the chart",
                          hint=f"set helm.releaseName (e.g. {source.chart})", doc=app)
