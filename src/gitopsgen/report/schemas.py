"""Reporting for `gitopsgen schemas import|sync`: what the store holds and what changed."""

from __future__ import annotations

from typing import TextIO

from gitopsgen.store.build import StoreResult


def store_result(result: StoreResult, shown: str, out: TextIO) -> None:
    """One line per changed file, then a summary: `schemas: 23 CRD schemas, 2 charts (...); 3 files changed`."""
    for change in result.changes:
        print(f"{shown}/{change.path}: {change.change.value}", file=out)
    content = result.content
    charts = sorted(content.lock.charts.values())
    listed = f" ({', '.join(f'{c.name} {c.version}' for c in charts)})" if charts else ""
    crds = len(content.crd_paths)
    what = f"{crds} CRD schema{'s' if crds != 1 else ''}, {len(charts)} chart{'s' if len(charts) != 1 else ''}{listed}"
    state = f"{len(result.changes)} file{'s' if len(result.changes) != 1 else ''} changed" if result.changes \
        else "up to date"
    print(f"{shown}: {what}; {state}", file=out)
