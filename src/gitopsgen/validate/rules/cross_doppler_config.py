"""cross-doppler-config: two environments rarely mean to read the same Doppler config (warning).

A Doppler service token is bound to one project and config; two environments whose
ClusterSecretStores read the same `project`/`config` share every secret: a staging copy of
production would run with production's database, tunnel and Cloudflare credentials. That can be
intended (a shared config on purpose), hence a warning.

Upstream: external-secrets docs/provider/doppler.md (a service token maps to one config,
docs/components.md §3). Run by `render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, collisions, dig

ID = "cross-doppler-config"


def _sites(trees: Sequence[RenderedTree]) -> Iterator[tuple[object, Site]]:
    for tree in trees:
        for doc in tree.manifests("ClusterSecretStore"):
            doppler = dig(doc.data, "spec", "provider", "doppler")
            if doc.ident.group == domain.ESO_GROUP and isinstance(doppler, dict) and doppler.get("config"):
                yield (doppler.get("project"), doppler.get("config")), \
                    Site(tree, doc, ("spec", "provider", "doppler", "config"))


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    for site, first in collisions(_sites(trees)):
        doppler = dig(site.doc.data, "spec", "provider", "doppler")
        yield CrossFinding(site, f"environment {site.tree.env} reads Doppler {doppler.get('project')}/"
                           f"{doppler.get('config')} like {first}: both share every secret",
                           severity=Severity.WARNING, hint="give each environment its own Doppler config")
