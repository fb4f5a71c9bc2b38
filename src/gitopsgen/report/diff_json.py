"""`gitopsgen diff --format json`: a stable, versioned shape for other tools.

    {"version": 1, "base": {"label", "commit"}, "head": {...}, "differences": bool,
     "environments": [{"name", "status", "counts", "objects": [...], "notes", "charts", "formattingOnly"}]}

An object: `status` (added|changed|removed|moved), `key` ({group, kind, namespace, name} for a
Kubernetes object, null for a data document), `title`, `file`, `old`/`new` ({file, document,
apiVersion} or null), `renamedFrom`/`renamedTo` (the other half of a renamed Application: a
removal plus an addition on the cluster), `fields` ([{path, segments, change, old?, new?, redacted}], `old`/`new`
left out when the field does not exist on that side), `diff` (unified diff text). Redacted values
are `"<redacted sha256:...>"` strings with `redacted: true`.

A chart (`charts`): `application`, `repoURL`, `chart`, `oldVersion`, `newVersion`, `valuesFiles`
(changed values files of the tree), `settings` (changed Helm fields of the Application, dotted),
`objects` (what the chart deploys that differs, objects as above with `file` the chart's template
path, e.g. `reloader/templates/deployment.yaml`; null when not compared), `crds` ([{name, status}]:
CustomResourceDefinitions compared by name only), `crdsUnchanged`, `reason` (why `objects` is null;
null when compared) and `hint` (the command that makes the comparison possible, or null).

New keys may be added within a version; a key is never removed or changes meaning without a new
`version`.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from gitopsgen.diff.model import MISSING, ChartChange, DiffResult, Entry, EnvDiff, FieldChange, Note, Side, SideLabel
from gitopsgen.diff.redact import plain

VERSION = 1


class JsonReporter:
    name = "json"

    def write(self, result: DiffResult, out: TextIO) -> None:
        out.write(json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n")


def to_json(result: DiffResult) -> dict[str, Any]:
    return {
        "version": VERSION,
        "base": _label(result.base),
        "head": _label(result.head),
        "differences": result.differs,
        "notices": list(result.notices),
        "environments": [_env(env) for env in result.envs],
    }


def _label(side: SideLabel) -> dict[str, Any]:
    return {"label": side.label, "commit": side.commit}


def _env(env: EnvDiff) -> dict[str, Any]:
    return {
        "name": env.env,
        "status": env.status.value,
        "counts": {status.value: n for status, n in env.counts().items()},
        "objects": [_entry(e) for e in env.entries],
        "notes": [_note(n) for n in env.notes],
        "charts": [_chart(c) for c in env.charts],
        "formattingOnly": env.formatting_only,
    }


def _side(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {"file": side.path, "document": side.index, "apiVersion": side.api_version}


def _entry(entry: Entry) -> dict[str, Any]:
    key = entry.key
    return {
        "status": entry.status.value,
        "key": {"group": key.group, "kind": key.kind, "namespace": key.namespace or None, "name": key.name}
        if key.is_object else None,
        "title": entry.title,
        "file": entry.path,
        "old": _side(entry.old),
        "new": _side(entry.new),
        "renamedFrom": str(entry.renamed) if entry.renamed is not None and entry.new is not None else None,
        "renamedTo": str(entry.renamed) if entry.renamed is not None and entry.new is None else None,
        "fields": [_field(f) for f in entry.fields],
        "diff": "".join(line + "\n" for line in entry.diff),
    }


def _field(change: FieldChange) -> dict[str, Any]:
    out: dict[str, Any] = {"path": change.dotted, "segments": list(change.path), "change": change.change}
    if change.old is not MISSING:
        out["old"] = plain(change.old)
    if change.new is not MISSING:
        out["new"] = plain(change.new)
    out["redacted"] = change.redacted
    return out


def _note(note: Note) -> dict[str, Any]:
    return {"kind": note.kind, "message": note.message, "subjects": list(note.subjects)}


def _chart(chart: ChartChange) -> dict[str, Any]:
    return {
        "application": chart.application, "repoURL": chart.repo_url, "chart": chart.chart,
        "oldVersion": chart.old_version, "newVersion": chart.new_version, "valuesFiles": list(chart.values_files),
        "settings": list(chart.settings),
        "objects": None if chart.objects is None else [_entry(e) for e in chart.objects],
        "crds": [{"name": c.name, "status": c.status.value} for c in chart.crds],
        "crdsUnchanged": chart.crds_unchanged,
        "reason": chart.reason,
        "hint": chart.hint,
    }
