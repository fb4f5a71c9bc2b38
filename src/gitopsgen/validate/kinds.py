"""Why a manifest has no schema, when the answer is "it cannot be applied": a built-in API
version the API server no longer serves (`removed_apis`), or a kind or version that is not part
of a group we know, built-in (the core schemas of the Kubernetes version) or in the schema store
(the group's CRDs are there, so a kind or version missing from them is missing from the cluster
too: `kubectl apply` says "no matches for kind"). Groups nobody knows stay what they were: a note,
an error under `--strict`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from gitopsgen.tree.manifests import Identity
from gitopsgen.validate import removed_apis

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore

_NOT_KINDS = frozenset({"DeleteOptions", "WatchEvent", "Status", "APIGroup", "APIGroupList", "APIResourceList",
                        "APIVersions"})
"""Meta types the definitions carry in every group; nothing one applies."""
_SHOWN = 12


@cache
def builtin_kinds(version: str) -> frozenset[tuple[str, str, str]]:
    """(group, version, kind) of every built-in object type of Kubernetes `version` (`1.33`), as
    its core schemas declare them (`x-kubernetes-group-version-kind`)."""
    from gitopsgen.validate.core_schemas import core_schemas_folder

    definitions = json.loads((core_schemas_folder() / f"v{version}.0-local-strict" / "_definitions.json").read_text())
    found = set()
    for definition in definitions.get("$defs", definitions.get("definitions", {})).values():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            kind = gvk.get("kind", "")
            if kind not in _NOT_KINDS and not kind.endswith("List"):
                found.add((gvk.get("group", ""), gvk.get("version", ""), kind))
    return frozenset(found)


def store_kinds(store: SchemaStore, group: str) -> frozenset[tuple[str, str, str]]:
    """(group, version, kind) of every CRD schema the store's folders hold for `group` (URL
    templates cannot be listed: they know a kind only when asked for it)."""
    from gitopsgen.store.locations import Location

    def collect() -> frozenset[tuple[str, str, str]]:
        found = set()
        for location in store.locations:
            if not isinstance(location, Location) or not location.crds or not group:
                continue
            folder = location.folder / group
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                stem, _, suffix = entry.name.rpartition(".")
                kind, _, api = stem.rpartition("_")
                if suffix == "json" and kind and api and (named := _served_kind(store, group, api, kind)):
                    found.add((group, api, named))
        return frozenset(found)

    return store.memo(("group kinds", group), collect)


def _served_kind(store: SchemaStore, group: str, version: str, lowered: str) -> str | None:
    """The kind as its schema spells it (files are named by the lower-cased kind), None when the
    CRD keeps the version without serving it."""
    found = store.lookup(group, version, lowered)
    crd = found.schema.get("x-gitopsgen-crd") if found is not None else None
    if isinstance(crd, dict) and crd.get("served") is False:
        return None
    kind = crd.get("kind") if isinstance(crd, dict) else None
    return kind if isinstance(kind, str) else lowered


def unservable(ident: Identity, version: str, store: SchemaStore) -> tuple[str, str] | None:
    """(message, hint) when `ident`'s (apiVersion, kind) cannot be served; None for a group we do
    not know (the caller's note, or error under --strict)."""
    gone = removed_apis.removed(ident.api_version, ident.kind)
    if gone is not None:
        return removed_apis.message(ident.api_version, ident.kind, gone)
    group = ident.group
    builtin = {k for k in builtin_kinds(version) if k[0] == group}
    if builtin:
        return _missing(ident, builtin, f"Kubernetes {version}")
    known = store_kinds(store, group)
    if known:
        return _missing(ident, set(known), "the schema store")
    return None


def _missing(ident: Identity, known: Iterable[tuple[str, str, str]], where: str) -> tuple[str, str]:
    known = sorted(known)
    versions = sorted({v for g, v, k in known if k == ident.kind})
    shown_group = ident.group or "the core group"
    if versions:
        served = ", ".join(f"{ident.group}/{v}" if ident.group else v for v in versions)
        return (f"{ident.kind} {ident.api_version} is not served: {where} has {ident.kind} as {served}",
                f"change apiVersion to {served.split(', ')[-1]}")
    kinds = sorted({k for _, _, k in known})
    close = difflib.get_close_matches(ident.kind, kinds, n=1)
    listed = ", ".join(kinds[:_SHOWN]) + (f" and {len(kinds) - _SHOWN} more" if len(kinds) > _SHOWN else "")
    message = f"no kind {ident.kind} in {shown_group}: {where} has {listed}"
    hint = (f"did you mean {close[0]}?" if close else
            "check the kind and apiVersion against the cluster's (`kubectl api-resources`)"
            if where.startswith("Kubernetes") else
            "a kind of another version of the operator? import its CRD into the repository's store "
            "(`gitopsgen schemas import`)")
    return message, hint
