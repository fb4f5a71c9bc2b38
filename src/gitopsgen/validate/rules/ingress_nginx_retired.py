"""ingress-nginx-retired: the retired ingress-nginx controller is flagged wherever it is installed.

kubernetes/ingress-nginx ended best-effort maintenance in March 2026: no further releases, bug
fixes or security fixes (chart 4.15.1 / controller 1.15.1 of 2026-03-19 is the last), and its
README tells anyone not already running it not to deploy it but to use a Gateway API
implementation. Every Application installing the `ingress-nginx` chart is reported as a warning,
naming the retirement and the way out: `ingress.controller: nginx-gateway-fabric` (NGINX Gateway
Fabric, NGINX's own Gateway API implementation) and docs/migrate-ingress-nginx-to-gateway.md.

Upstream: kubernetes/ingress-nginx README.md at HEAD (retirement notice).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding

ID = "ingress-nginx-retired"


def check(tree: RenderedTree) -> Iterator[Finding]:
    for app in toolkit.applications(tree):
        for source in toolkit.sources(app):
            if source.chart == domain.INGRESS_NGINX_CHART:
                yield Finding((*source.path, "chart"), "installs ingress-nginx, retired upstream in March "
                              "2026: no more releases, bug fixes or security fixes", severity=Severity.WARNING,
                              hint="move to NGINX Gateway Fabric: ingress.controller: nginx-gateway-fabric, "
                                   "then `gitopsgen diff --base <ref>` shows the switch "
                                   "(docs/migrate-ingress-nginx-to-gateway.md)", doc=app)
