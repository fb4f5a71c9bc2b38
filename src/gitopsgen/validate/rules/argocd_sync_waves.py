"""argocd-sync-waves: child Applications sync in dependency order.

Facts: docs/components.md §7.

The app of apps applies its children wave by wave (lower `argocd.argoproj.io/sync-wave` first).
Our order: namespaces < operators < ClusterSecretStore < ExternalSecrets < data-layer custom
resources < the app and its Ingress; cert-manager before the Barman Cloud plugin ("Install it and
wait until it is ready before installing this chart", plugin-barman-cloud chart README), and the
plugin before the Cluster that archives through it; charts that read a Secret an ExternalSecret
creates (External-DNS's CF_API_TOKEN, the Tailscale operator's `operator-oauth`) come after the
ExternalSecrets. No Application creates namespaces on the fly (no CreateNamespace), so the one
deploying the Namespaces comes first.

The stage of each Application is deduced from what it deploys, not from its name:

* a Helm source: its chart (`CHART_STAGES`; CNPG, OT Redis, ESO, Reloader, NGINX Gateway Fabric
  and ingress-nginx are operators, cert-manager a prerequisite, the Barman Cloud plugin a CNPG plugin, External-DNS
  and the Tailscale operator consume synced Secrets);
* a Git source: the kinds under its path (Namespace, SecretStore/ClusterSecretStore,
  ExternalSecret, CNPG, Barman Cloud or OT Redis resources, Deployments/StatefulSets/DaemonSets/
  Ingresses).

Whenever Application A holds a stage that B's stage needs, A's wave must be lower than B's. The
annotation must be an integer string. Note: waves only wait for a child's health when argocd-cm
has the `resource.customizations.health.argoproj.io_Application` check (Argo CD
docs/operator-manual/health.md); the ordering is still what creation follows.

Upstream: Argo CD docs/user-guide/sync-waves.md, docs/operator-manual/cluster-bootstrapping.md.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding

ID = "argocd-sync-waves"
WAVE_PATH = ("metadata", "annotations", domain.SYNC_WAVE)


class Stage(enum.Enum):
    FOUNDATION = "namespaces"
    CERTIFICATES = "cert-manager"
    DATA_PLUGINS = "CloudNativePG plugins"
    OPERATORS = "operators"
    SECRET_STORE = "secret store"
    EXTERNAL_SECRETS = "ExternalSecrets"
    DATA = "data-layer custom resources"
    APP = "workloads"
    SECRET_CONSUMER = "charts reading synced Secrets"


# Stages that must be in a strictly earlier wave than the key stage.
_BASE = frozenset({Stage.FOUNDATION})
_SECRETS = _BASE | {Stage.OPERATORS, Stage.SECRET_STORE, Stage.EXTERNAL_SECRETS}
NEEDS: dict[Stage, frozenset[Stage]] = {
    Stage.FOUNDATION: frozenset(),
    Stage.CERTIFICATES: _BASE,
    Stage.OPERATORS: _BASE,
    Stage.DATA_PLUGINS: _BASE | {Stage.CERTIFICATES},
    Stage.SECRET_STORE: _BASE | {Stage.OPERATORS},
    Stage.EXTERNAL_SECRETS: _BASE | {Stage.OPERATORS, Stage.SECRET_STORE},
    Stage.DATA: _SECRETS | {Stage.DATA_PLUGINS},
    Stage.APP: _SECRETS | {Stage.DATA_PLUGINS, Stage.DATA},
    Stage.SECRET_CONSUMER: _SECRETS,
}
CHART_STAGES = {
    "cloudnative-pg": Stage.OPERATORS,
    "redis-operator": Stage.OPERATORS,
    "external-secrets": Stage.OPERATORS,
    "reloader": Stage.OPERATORS,
    "ingress-nginx": Stage.OPERATORS,
    "nginx-gateway-fabric": Stage.OPERATORS,
    "external-dns": Stage.SECRET_CONSUMER,
    "tailscale-operator": Stage.SECRET_CONSUMER,
    "cert-manager": Stage.CERTIFICATES,
    "plugin-barman-cloud": Stage.DATA_PLUGINS,
}

DATA_GROUPS = frozenset({domain.CNPG_API_VERSION.partition("/")[0], domain.REDIS_GROUP, domain.BARMAN_GROUP})
WORKLOADS = frozenset({("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
                       ("networking.k8s.io", "Ingress")})


def stages(tree: RenderedTree, app: Manifest) -> set[Stage]:
    found = {CHART_STAGES[c] for c in toolkit.charts(app) if c in CHART_STAGES}
    for group, kind in toolkit.deployed_kinds(tree, app):
        if (group, kind) == ("", "Namespace"):
            found.add(Stage.FOUNDATION)
        elif group == domain.ESO_GROUP and kind in ("SecretStore", "ClusterSecretStore"):
            found.add(Stage.SECRET_STORE)
        elif group == domain.ESO_GROUP and kind == "ExternalSecret":
            found.add(Stage.EXTERNAL_SECRETS)
        elif group in DATA_GROUPS:
            found.add(Stage.DATA)
        elif (group, kind) in WORKLOADS:
            found.add(Stage.APP)
    return found


def check(tree: RenderedTree) -> Iterator[Finding]:
    apps = list(toolkit.applications(tree))
    waves: dict[int, int] = {}
    for i, app in enumerate(apps):
        wave = toolkit.wave(app)
        if wave is None:
            yield Finding(WAVE_PATH, "sync wave is not an integer",
                          hint='write e.g. argocd.argoproj.io/sync-wave: "-2"', doc=app)
        else:
            waves[i] = wave
    staged = [(i, app, stages(tree, app)) for i, app in enumerate(apps) if i in waves]
    for j, later, later_stages in staged:
        needs = set().union(*(NEEDS[ls] for ls in later_stages))
        for i, earlier, earlier_stages in staged:
            if i == j or waves[i] < waves[j]:
                continue
            common = needs & earlier_stages
            if common:
                needed = sorted({s.value for s in common})
                what = ", ".join(sorted(s.value for s in later_stages))
                yield Finding(
                    WAVE_PATH,
                    f"wave {waves[j]} deploys {what}, which need the {', '.join(needed)} of Application "
                    f"{earlier.ident.name}, but that is in wave {waves[i]}",
                    hint=f"give {later.ident.name} a wave above {waves[i]} (or {earlier.ident.name} a lower one)",
                              doc=later)
