"""Helpers shared by the delivery-layer tests: copies of rendered trees with edits, and lookups."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from gitopsgen import yamlio
from gitopsgen.manifests import Document, RenderedFile, RenderedTree
from gitopsgen.problems import Problem

APPLICATION_API = "argoproj.io/v1alpha1"
WAVE = "argocd.argoproj.io/sync-wave"


def copy_tree(tree: RenderedTree) -> RenderedTree:
    return RenderedTree(tree.env, dict(tree.files))


def put(tree: RenderedTree, path: str, documents: list[Any], template: str = "test") -> RenderedFile:
    """Add or replace `path` in `tree` with canonical text of `documents`."""
    docs = tuple(Document(path, i, d) for i, d in enumerate(documents))
    rendered = RenderedFile(path, template, docs, yamlio.dump([d.data for d in docs]))
    tree.add(rendered)
    return rendered


def edit(tree: RenderedTree, path: str, change: Callable[[Any], Any]) -> RenderedTree:
    """A copy of `tree` where `change` edited the first document of `path` in place (its result is ignored)."""
    out = copy_tree(tree)
    original = tree.files[path]
    data = [copy.deepcopy(d.data) for d in original.documents]
    change(data[0])
    put(out, path, data, original.template)
    return out


def line_of(tree: RenderedTree, path: str, *node: str | int) -> int:
    """1-based line of a node in a file's canonical text (independent of RenderedFile.line_of)."""
    line = tree.files[path].line_of(0, tuple(node))
    assert line is not None
    return line


def text_line(tree: RenderedTree, path: str, needle: str) -> int:
    """1-based line of the only line of `path` containing `needle` (searched in the text)."""
    hits = [i for i, text in enumerate(tree.files[path].text.splitlines(), 1) if needle in text]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def apps(tree: RenderedTree) -> dict[str, Document]:
    out = {}
    for doc in tree.manifests("Application", APPLICATION_API):
        assert doc.identity is not None
        out[doc.identity.name] = doc
    return out


def at(problems: list[Problem], rule: str) -> list[tuple[str, int | None]]:
    return sorted((p.file, p.line) for p in problems if p.rule == rule)
