"""Where the Kubernetes core kinds' schemas are: the ones kubernetes-validate ships, a folder per
Kubernetes version (`kubernetes-json-schema/v1.33.0-local-strict/`)."""

from __future__ import annotations

from pathlib import Path


def core_schemas_folder() -> Path:
    """kubernetes-validate's bundled schemas (`kubernetes-json-schema/`, a folder per version), found
    without importing the package: we read its data, not its Python."""
    import importlib.util

    spec = importlib.util.find_spec("kubernetes_validate")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise ModuleNotFoundError("kubernetes-validate is not installed", name="kubernetes_validate")
    return Path(locations[0]) / "kubernetes-json-schema"
