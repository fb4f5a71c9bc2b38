"""Where things live in a gitopsgen repository (DESIGN.md, "Repository layout").

Every path the tool reads or writes by convention is spelled here once: the folders of the
repository, the rendered tree of an environment, and the places inside it that other parts
(values files of Applications, the tunnel config) are found at.
"""

from __future__ import annotations

ENVIRONMENTS = "environments"
TEMPLATES = "templates"
RENDERED = "rendered"

VALUES_DIR = "values"
"""Helm values files inside `rendered/<env>/`: `values/<chart>.yaml`."""
CLOUDFLARED_CONFIG = "config/cloudflared/config.yaml"
"""The committed tunnel config inside `rendered/<env>/` (never applied; a ConfigMap embeds it)."""
ARGOCD_CM_PATCH = "config/argocd/argocd-cm.patch.yaml"
"""The merge patch for argocd-cm inside `rendered/<env>/` (applied once by hand, README bootstrap)."""


def rendered_dir(env: str) -> str:
    """`rendered/<env>`, the folder Argo CD reads, relative to the repository root."""
    return f"{RENDERED}/{env}"


def values_file(chart: str) -> str:
    """The values file of a chart, relative to `rendered/<env>/`."""
    return f"{VALUES_DIR}/{chart}.yaml"


def chart_of_values_file(path: str) -> str | None:
    """`values/<chart>.yaml` -> `<chart>`; None for any other path."""
    prefix, suffix = f"{VALUES_DIR}/", ".yaml"
    if path.startswith(prefix) and path.endswith(suffix) and "/" not in path[len(prefix):]:
        return path[len(prefix):-len(suffix)]
    return None
