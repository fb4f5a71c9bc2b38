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


def output_path_problem(path: str) -> str | None:
    """Why `path` (relative to rendered/<env>/) cannot be written there, or None.

    A path must stay inside rendered/<env>/ on every system that checks the repository out:
    no `..` or `.` parts, nothing absolute, no backslash (a separator on Windows), no control
    characters."""
    if not path or path.startswith("/"):
        return "is not a relative path"
    if "\\" in path:
        return "contains a backslash, a path separator on Windows"
    if any(not ch.isprintable() for ch in path):
        return "contains control characters"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "has an empty, '.' or '..' part and would leave rendered/<env>/"
    return None
