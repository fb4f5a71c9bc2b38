"""Wording shared by the diff reporters: how a value, a field change and a side are written."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from gitopsgen.diff.model import (
    MISSING,
    ChartChange,
    DiffResult,
    Entry,
    EnvDiff,
    EnvStatus,
    FieldChange,
    Redacted,
    SideLabel,
    Status,
)
from gitopsgen.diff.redact import plain
from gitopsgen.tree import yamlio

SYMBOLS = {"added": "+", "changed": "~", "removed": "-", "moved": ">"}
VALUE_LIMIT = 160


def value_text(value: Any, limit: int = VALUE_LIMIT) -> str:
    """One line for any value: YAML scalars as written in the files, containers as flow JSON."""
    if value is MISSING:
        return "(absent)"
    if isinstance(value, Redacted):
        return str(value)
    if isinstance(value, (dict, list)):
        text = json.dumps(plain(value), ensure_ascii=False, separators=(", ", ": "))
    elif isinstance(value, str) and "\n" in value:
        text = yamlio.double_quoted(value)
    else:
        text = yamlio.scalar(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_line(change: FieldChange, limit: int = VALUE_LIMIT) -> str:
    """`spec.replicas: 2 -> 3`, `metadata.labels.tier: added: web`, `spec.paused: removed (was true)`."""
    if change.change == "added":
        return f"{change.dotted}: added: {value_text(change.new, limit)}"
    if change.change == "removed":
        return f"{change.dotted}: removed (was {value_text(change.old, limit)})"
    return f"{change.dotted}: {value_text(change.old, limit)} -> {value_text(change.new, limit)}"


def rename_text(entry: Entry) -> str:
    """`renamed from X` / `renamed to Y` for the two halves of a renamed Application, else ''."""
    if entry.renamed is None:
        return ""
    return f"renamed {'from' if entry.status is Status.ADDED else 'to'} {entry.renamed}"


def side_text(side: SideLabel) -> str:
    return f"{side.label} ({side.commit[:12]})" if side.commit else side.label


def heading(result: DiffResult) -> str:
    return f"{side_text(result.base)} -> {side_text(result.head)}"


def env_state(env: EnvDiff) -> str:
    """`new environment`, `environment deleted`, `2 changed, 1 added` or `no differences`."""
    objects = f"{len(env.entries)} object{'s' if len(env.entries) != 1 else ''}"
    if env.status is EnvStatus.ADDED:
        return f"new environment ({objects})"
    if env.status is EnvStatus.REMOVED:
        return f"environment deleted ({objects})"
    counts = [f"{n} {status.value}" for status, n in env.counts().items() if n]
    return ", ".join(counts) if counts else "no differences"


def counts_text(entries: list[Entry]) -> str:
    """`2 changed, 1 added` (in the order of `Status`), or `no differences`."""
    found = Counter(e.status for e in entries)
    return ", ".join(f"{found[s]} {s.value}" for s in Status if found[s]) or "no differences"


def crd_text(chart: ChartChange) -> str:
    """`CRDs (by name only): changed widgets.example.org; 2 unchanged`, or '' without CRDs."""
    if not chart.crds and not chart.crds_unchanged:
        return ""
    parts = []
    for status in (Status.CHANGED, Status.ADDED, Status.REMOVED):
        names = [c.name for c in chart.crds if c.status is status]
        if names:
            parts.append(f"{status.value} {', '.join(names)}")
    if chart.crds_unchanged:
        parts.append(f"{chart.crds_unchanged} unchanged")
    return f"CRDs (compared by name only): {'; '.join(parts)}"


def chart_outcome(chart: ChartChange) -> str:
    """What the chart-aware diff found for `chart`, or why it could not look."""
    if chart.objects is None:
        return chart.reason or "not compared"
    deploys = (f"what it deploys: {counts_text(chart.objects)}" if chart.objects
               else "what it deploys does not change")
    crds = crd_text(chart)
    return f"{deploys}; {crds}" if crds else deploys


def chart_line(chart: ChartChange, settings_shown: int = 3) -> str:
    parts = []
    if chart.old_version != chart.new_version:
        parts.append(f"version {chart.old_version} -> {chart.new_version}")
    if chart.values_files:
        parts.append(f"values changed ({', '.join(chart.values_files)})")
    if chart.settings:
        more = len(chart.settings) - settings_shown
        shown = ", ".join(chart.settings[:settings_shown]) + (f", and {more} more" if more > 0 else "")
        parts.append(f"Helm settings changed ({shown})")
    return f"chart {chart.chart} of Application {chart.application}: {'; '.join(parts)}; {chart_outcome(chart)}"
