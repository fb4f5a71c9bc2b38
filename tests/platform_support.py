"""Helpers for the platform tests: mutate a copy of a rendered tree and find problems and lines.

A mutated tree is re-emitted canonically, exactly as render would write it, so a rule's reported
line can be compared with the line of the mutated text found by a plain substring search.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import ModuleType
from typing import Any

from gitopsgen import yamlio
from gitopsgen.manifests import Document, RenderedFile, RenderedTree
from gitopsgen.problems import Problem, Severity


def with_file(tree: RenderedTree, path: str, documents: list[Any], template: str = "test") -> RenderedTree:
    """A shallow copy of `tree` in which `path` holds `documents` (added or replaced)."""
    new = RenderedTree(tree.env, dict(tree.files))
    docs = tuple(Document(path, i, d) for i, d in enumerate(documents))
    new.add(RenderedFile(path, template, docs, yamlio.dump(documents)))
    return new


def without_file(tree: RenderedTree, path: str) -> RenderedTree:
    assert path in tree.files, path
    return RenderedTree(tree.env, {p: f for p, f in tree.files.items() if p != path})


def mutate(tree: RenderedTree, path: str, change: Callable[[list[Any]], None]) -> RenderedTree:
    """A copy of `tree` where `change` edited (a deep copy of) the documents of `path`."""
    documents = [copy.deepcopy(d.data) for d in tree.files[path].documents]
    change(documents)
    return with_file(tree, path, documents, tree.files[path].template)


def line_with(tree: RenderedTree, path: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line of `path` containing `needle`."""
    seen = 0
    for number, line in enumerate(tree.files[path].text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def errors(module: ModuleType, tree: RenderedTree, min_severity: Severity = Severity.WARNING) -> list[Problem]:
    return [p for p in module.check(tree) if p.severity >= min_severity]


def where(problems: list[Problem]) -> list[tuple[str, int | None]]:
    return [(p.file, p.line) for p in problems]


def find_env(container: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in container["env"] if e["name"] == name)
