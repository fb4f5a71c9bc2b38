"""argocd-crd-dry-run: custom resources sync only once their CRDs can exist.

Facts: docs/components.md §7.

Argo CD dry-runs every manifest before a sync; a custom resource whose CRD is not installed yet
fails it ("the server could not find the requested resource") and the whole Application fails.
When the CRD comes from another Application of the tree (a chart in `CHART_CRD_GROUPS`: CNPG,
OT Redis, External Secrets, Tailscale), the Application holding the custom resources must either
sit in a later sync wave than that operator's Application or carry
`SkipDryRunOnMissingResource=true`. Without a health check on child Applications, waves order
only creation, so the sync option is the robust choice.

What an Application deploys is read from the tree (the documents under its source path). A
custom resource whose group no Application of the tree installs is reported as a warning: the
operator may be installed outside this tree, but then nothing orders it.

Upstream: Argo CD docs/user-guide/sync-options.md ("Skip Dry Run for new custom resources
types"), docs/user-guide/sync-waves.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding

ID = "argocd-crd-dry-run"
WAVE_PATH = ("metadata", "annotations", domain.SYNC_WAVE)


def _installers(tree: RenderedTree) -> dict[str, list[Manifest]]:
    """API group -> the Applications whose charts install its CRDs."""
    found: dict[str, list[Manifest]] = {}
    for app in toolkit.applications(tree):
        for chart in toolkit.charts(app):
            for group in domain.CHART_CRD_GROUPS.get(chart, ()):
                found.setdefault(group, []).append(app)
    return found


def check(tree: RenderedTree) -> Iterator[Finding]:
    installers = _installers(tree)
    known = {g for groups in domain.CHART_CRD_GROUPS.values() for g in groups}
    for app in toolkit.applications(tree):
        groups = sorted({g for g, _ in toolkit.deployed_kinds(tree, app) if g in known})
        if not groups:
            continue
        skip = "SkipDryRunOnMissingResource=true" in toolkit.sync_options(app)
        wave = toolkit.wave(app)
        for group in groups:
            operators = [op for op in installers.get(group, []) if op is not app]
            if not operators:
                yield Finding(("spec",), f"deploys {group} resources but no Application of "
                              "this tree installs their CRDs", severity=Severity.WARNING,
                              hint="add the operator's Application, or make sure it is installed first", doc=app)
                continue
            if skip:
                continue
            for op in operators:
                op_wave = toolkit.wave(op)
                if wave is None or op_wave is None or wave <= op_wave:
                    yield Finding(
                        WAVE_PATH,
                        f"deploys {group} resources in wave {wave}, not after the Application {op.ident.name} "
                        f"(wave {op_wave}) that installs their CRDs, and without "
                        "SkipDryRunOnMissingResource=true",
                        hint="use a later sync wave, or add SkipDryRunOnMissingResource=true to "
                             "spec.syncPolicy.syncOptions", doc=app)
