"""Compare two rendered trees of one environment, object by object.

Each document becomes a `Key` (see `model.Key`): Kubernetes objects by API group, kind, namespace
and name, so a changed apiVersion version or a move to another file keeps the object's identity;
other documents by file. Content is compared as data after redaction, so key order, quoting and
indentation never count. Either tree may be None: the environment exists on one side only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from gitopsgen.diff import immutable
from gitopsgen.diff.edge_switch import edge_switch
from gitopsgen.diff.fields import align, field_changes
from gitopsgen.diff.model import Entry, EnvDiff, EnvStatus, Key, Side, Status
from gitopsgen.diff.notes import chart_changes, recreations, renames
from gitopsgen.diff.redact import plain, redact
from gitopsgen.diff.textdiff import unified
from gitopsgen.facts.layout import rendered_dir
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree


@dataclass(frozen=True)
class Indexed:
    side: Side
    raw: Any
    """The unredacted data: only for structural checks (Applications), never shown."""
    file: RenderedFile
    """The file holding the document: where its lines are, for the hunks of a unified diff."""

    def first_line(self) -> int:
        """The line of its file the document starts at (its first key), 1 when unknown."""
        return self.file.document_line(self.side.index) or 1


def index(tree: RenderedTree) -> dict[Key, Indexed]:
    """Every document of `tree` by its key, in file order."""
    out: dict[Key, Indexed] = {}
    for path in sorted(tree.files):
        data_docs = 0
        for doc in tree.files[path].documents:
            ident = doc.identity
            if ident is not None:
                key = Key(ident.group, ident.kind, ident.namespace or "", ident.name)
            else:
                key = Key(file=path, index=data_docs)
                data_docs += 1
            while key in out:
                key = replace(key, occurrence=key.occurrence + 1)
            api_version = ident.api_version if ident is not None else None
            out[key] = Indexed(Side(path, doc.index, api_version, redact(key, doc.data)), doc.data, tree.files[path])
    return out


def compare_trees(env: str, old: RenderedTree | None, new: RenderedTree | None, *,
                  label: str | None = None) -> EnvDiff:
    """`label`: how file paths start in unified diffs (default `rendered/<env>/`)."""
    label = f"{rendered_dir(env)}/" if label is None else label
    old_index = index(old) if old is not None else {}
    new_index = index(new) if new is not None else {}
    entries = []
    for key in old_index.keys() | new_index.keys():
        entry = _entry(label, key, old_index.get(key), new_index.get(key))
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: (*e.position, e.key))
    status = (EnvStatus.ADDED if old is None else EnvStatus.REMOVED if new is None
              else EnvStatus.CHANGED if entries else EnvStatus.UNCHANGED)
    result = EnvDiff(env, status, entries)
    pairs = renames(entries, old_index, new_index)
    _link_renames(label, entries, pairs, old_index, new_index)
    result.notes = recreations(entries, pairs, old_index, new_index)
    result.notes.extend(immutable.recreations(entries, old_index, new_index))
    result.notes.extend(edge_switch(entries, old_index, new_index))
    result.charts = chart_changes(env, entries, old_index, new_index)
    if old is not None and new is not None:
        touched = {e.old.path for e in entries if e.old} | {e.new.path for e in entries if e.new}
        result.formatting_only = sorted(
            p for p in old.files.keys() & new.files.keys()
            if p not in touched and old.files[p].text != new.files[p].text)
    return result


def _link_renames(label: str, entries: list[Entry], pairs: list[tuple[Key, Key]], old: dict[Key, Indexed],
                  new: dict[Key, Indexed]) -> None:
    """A renamed object stays a removal plus an addition (that is what the cluster does), but the
    addition shows what differs from the object it replaces, and the removal points to it."""
    by_key = {e.key: e for e in entries}
    for a, b in pairs:
        removed, added = by_key[a], by_key[b]
        before, after = old[a].side, new[b].side
        removed.renamed = b
        removed.diff = []
        added.renamed = a
        added.fields = field_changes(before.data, after.data)
        added.diff = _unified(label, old[a], new[b])


def _unified(label: str, old: Indexed | None, new: Indexed | None) -> list[str]:
    """The document's unified diff, its hunks numbered by the lines of the files (a reviewer opens
    the file at the line the hunk names)."""
    before = old.side if old is not None else None
    after = new.side if new is not None else None
    if before is not None and after is not None:
        old_text = yamlio.dump([plain(align(before.data, after.data))])
    else:
        old_text = yamlio.dump([plain(before.data)]) if before is not None else ""
    new_text = yamlio.dump([plain(after.data)]) if after is not None else ""
    if old_text == new_text:
        return []
    return unified(old_text, new_text, f"a/{label}{before.path}" if before else "",
                   f"b/{label}{after.path}" if after else "",
                   starts=(old.first_line() if old else 1, new.first_line() if new else 1))


def _entry(label: str, key: Key, old: Indexed | None, new: Indexed | None) -> Entry | None:
    before = old.side if old else None
    after = new.side if new else None
    if before is not None and after is not None:
        fields = field_changes(before.data, after.data)
        if not fields and before.path == after.path:
            return None
        status = Status.CHANGED if fields else Status.MOVED
    else:
        fields = []
        status = Status.ADDED if after is not None else Status.REMOVED
    return Entry(status, key, before, after, fields, _unified(label, old, new))
