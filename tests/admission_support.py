"""Raw upstream CRDs from ../shared/crds and ../shared/crds-next as the schemas the admission layers consume.

Each served or unserved version's `openAPIV3Schema` is used as it is (no translation: the CEL and
admission layers must work on raw CRD schemas as well as on our store's JSON Schema), with the
`x-gitopsgen-crd` block our store adds at the root. Helm template lines (`{{- if ... }}`, as in
CloudNativePG's chart) are dropped before parsing. Nothing is copied into the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SHARED_CRDS = SHARED / "crds"
# crds-next: the upstream CRDs of what the environments pin next (Gateway API, NGINX Gateway Fabric, ...)
SHARED_CRD_FOLDERS = (SHARED_CRDS, SHARED / "crds-next")
SKIP_REASON = f"upstream CRDs not found at {SHARED_CRDS} (CI has ../shared)"

Key = tuple[str, str, str]
"""(group, version, kind)"""


def crd_documents(*folders: Path) -> list[dict[str, Any]]:
    """The CRDs of `folders` (default: every folder of upstream CRDs that exists)."""
    out = []
    paths = [path for folder in folders or SHARED_CRD_FOLDERS if folder.is_dir()
             for path in sorted(folder.rglob("*.yaml"))]
    for path in paths:
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("{{"))
        out.extend(d for d in yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                   if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition")
    return out


def schema_of(crd: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    spec = crd["spec"]
    schema = dict(version["schema"]["openAPIV3Schema"])
    schema["x-gitopsgen-crd"] = {
        "group": spec["group"], "kind": spec["names"]["kind"], "version": version["name"],
        "plural": spec["names"]["plural"], "scope": spec["scope"], "served": bool(version.get("served")),
        "storage": bool(version.get("storage")), "deprecated": bool(version.get("deprecated", False)),
        "servedVersions": [v["name"] for v in spec["versions"] if v.get("served")],
    }
    return schema


@cache
def crd_schemas() -> dict[Key, dict[str, Any]]:
    """Every version of every CRD in ../shared/crds and ../shared/crds-next; empty when they are absent."""
    if not SHARED_CRDS.is_dir():
        return {}
    return {(crd["spec"]["group"], version["name"], crd["spec"]["names"]["kind"]): schema_of(crd, version)
            for crd in crd_documents() for version in crd["spec"]["versions"]}


def schema_for(data: dict[str, Any]) -> dict[str, Any] | None:
    group, _, version = str(data.get("apiVersion", "")).rpartition("/")
    return crd_schemas().get((group, version, str(data.get("kind"))))
