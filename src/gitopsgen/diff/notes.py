"""What a field list does not say: Argo CD Applications whose change deletes and re-creates.

* An Application renamed: Argo CD prunes the old Application (with the resources finalizer, and
  everything it deployed) and creates the new one. A removed and an added Application are taken
  for a rename when they come from the same file, or else have the same sources and destination.
* A Helm source whose release name changes (`helm.releaseName`, or the Application's name when
  unset): charts name their objects after the release, so the old objects are pruned and new ones
  created (Argo CD docs, "Helm": releaseName).

`chart_changes` lists the Helm charts whose version, values files or Helm settings differ;
`diff.charts` renders them at both sides and fills `ChartChange.objects`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitopsgen.diff.fields import field_changes
from gitopsgen.diff.model import ChartChange, Entry, Key, Note, Status
from gitopsgen.facts.layout import rendered_dir
from gitopsgen.tree import argocd
from gitopsgen.tree.manifests import Document, make_document

if TYPE_CHECKING:
    from gitopsgen.diff.engine import Indexed

ARGOCD_GROUP = "argoproj.io"


def _is_app(key: Key) -> bool:
    return key.group == ARGOCD_GROUP and key.kind == "Application"


def _doc(item: Indexed) -> Document:
    return make_document(item.side.path, item.side.index, item.raw)


def _helm_sources(item: Indexed) -> dict[tuple[str, str], dict[str, Any]]:
    """Helm sources of an Application by (repoURL, chart)."""
    out = {}
    for source in argocd.sources(_doc(item)):
        if source.chart:
            out[(str(source.data.get("repoURL", "")), source.chart)] = source.data
    return out


def _release(source: dict[str, Any], app_name: str) -> str:
    helm = source.get("helm")
    name = helm.get("releaseName") if isinstance(helm, dict) else None
    return name if isinstance(name, str) and name else app_name


def _signature(item: Indexed) -> tuple[Any, ...]:
    spec = item.raw.get("spec") if isinstance(item.raw, dict) else None
    destination = spec.get("destination") if isinstance(spec, dict) else None
    shape = tuple(sorted((str(s.data.get("repoURL")), str(s.chart or s.data.get("path")))
                         for s in argocd.sources(_doc(item))))
    return shape, repr(sorted(destination.items())) if isinstance(destination, dict) else None


def renames(entries: list[Entry], old: Mapping[Key, Indexed], new: Mapping[Key, Indexed]) -> list[tuple[Key, Key]]:
    """(removed, added) Application keys that are one Application renamed."""
    removed = [e.key for e in entries if e.status is Status.REMOVED and _is_app(e.key)]
    added = [e.key for e in entries if e.status is Status.ADDED and _is_app(e.key)]
    def same_file(a: Key, b: Key) -> bool:
        return old[a].side.path == new[b].side.path

    def same_shape(a: Key, b: Key) -> bool:
        return _signature(old[a]) == _signature(new[b])

    pairs = []
    for same in (same_file, same_shape):
        for a in list(removed):
            match = next((b for b in added if same(a, b)), None)
            if match is not None:
                pairs.append((a, match))
                removed.remove(a)
                added.remove(match)
    return sorted(pairs)


def recreations(entries: list[Entry], pairs: list[tuple[Key, Key]], old: Mapping[Key, Indexed],
                new: Mapping[Key, Indexed]) -> list[Note]:
    notes = []
    for a, b in pairs:
        notes.append(Note("recreate", (
            f"Application {a.name} is renamed to {b.name}: Argo CD deletes Application {a.name} (with its "
            f"resources finalizer, every object it deployed) and creates {b.name}, which deploys them again"),
            (str(a), str(b))))
    changed = [(e.key, e.key) for e in entries if e.status is Status.CHANGED and _is_app(e.key)]
    for a, b in sorted(changed + pairs):
        new_sources = _helm_sources(new[b])
        for where, source in _helm_sources(old[a]).items():
            if where not in new_sources:
                continue
            before, after = _release(source, a.name), _release(new_sources[where], b.name)
            if before != after:
                notes.append(Note("recreate", (
                    f"Application {b.name}: the Helm release of chart {where[1]} is renamed from {before} "
                    f"to {after}: objects the chart names after its release are deleted and created again"),
                    (str(b),)))
    return notes


def chart_changes(env: str, entries: list[Entry], old: Mapping[Key, Indexed],
                  new: Mapping[Key, Indexed]) -> list[ChartChange]:
    """Helm charts of Applications present on both sides whose version, values files or Helm settings
    (`helm.*` of the source: valuesObject, parameters, releaseName, ...; the destination namespace)
    changed: everything that changes what `helm template` renders."""
    changed_files = {e.path for e in entries if not e.key.is_object and e.status is not Status.MOVED}
    prefix = f"{rendered_dir(env)}/"
    out = []
    for key in sorted(k for k in old.keys() & new.keys() if _is_app(k)):
        old_sources = _helm_sources(old[key])
        values_by_chart: dict[tuple[str, str], list[str]] = {}
        for value_file in argocd.value_files(_doc(new[key])):
            repo_path = value_file.repo_path or ""
            if value_file.source.chart and repo_path.startswith(prefix) and repo_path[len(prefix):] in changed_files:
                where = (str(value_file.source.data.get("repoURL", "")), value_file.source.chart)
                values_by_chart.setdefault(where, []).append(repo_path[len(prefix):])
        namespace = [c.dotted for c in field_changes(_namespace(old[key]), _namespace(new[key]),
                                                     ("spec", "destination", "namespace"))]
        for source in argocd.sources(_doc(new[key])):
            if not source.chart:
                continue
            where = (str(source.data.get("repoURL", "")), source.chart)
            if where not in old_sources:
                continue
            before = old_sources[where].get("targetRevision")
            after = source.data.get("targetRevision")
            values = tuple(values_by_chart.get(where, ()))
            settings = tuple(c.dotted for c in field_changes(
                old_sources[where].get("helm"), source.data.get("helm"), (*source.path, "helm"))) + tuple(namespace)
            if before != after or values or settings:
                out.append(ChartChange(key.name, where[0], where[1], _text(before), _text(after), values, key=key,
                                       settings=settings))
    return out


def _namespace(item: Indexed) -> Any:
    spec = item.raw.get("spec") if isinstance(item.raw, dict) else None
    destination = spec.get("destination") if isinstance(spec, dict) else None
    return destination.get("namespace") if isinstance(destination, dict) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
