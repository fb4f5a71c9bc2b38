"""Cross-resource rules: one small module per rule, each with an id and a `check(tree)`.

A rule module defines:

    ID = "argocd-destination"          # stable id, shown as [rule] and used to select rules
    def check(tree: RenderedTree) -> Iterator[Problem]: ...

and its docstring is the rule's user documentation (what it enforces and the upstream issue or
document that motivates it). Rules look only at the rendered objects, never at the spec: they
check that what Argo CD will apply is consistent, whoever wrote the templates.

`finding(tree, doc, path, message, ...)` builds a Problem at the node's line in the rendered file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Protocol

from gitopsgen.manifests import Document, RenderedTree
from gitopsgen.problems import Problem, Severity, dotted
from gitopsgen.yamlio import dig

__all__ = ["DISPLAY_PREFIX", "RuleModule", "all_rules", "dig", "finding", "run"]


class RuleModule(Protocol):
    ID: str

    def check(self, tree: RenderedTree) -> Iterator[Problem]: ...


DISPLAY_PREFIX = "rendered"


def finding(tree: RenderedTree, doc: Document, path: tuple[str | int, ...], message: str, *,
            rule: str, severity: Severity = Severity.ERROR, hint: str | None = None) -> Problem:
    rendered = tree.files[doc.file]
    ident = doc.identity
    where = f" ({ident})" if ident is not None else ""
    return Problem(f"{DISPLAY_PREFIX}/{tree.env}/{doc.file}", rendered.line_of(doc.index, path), None,
                   dotted(path), message + where, rule=rule, severity=severity, hint=hint)


@cache
def all_rules() -> tuple[ModuleType, ...]:
    """Every rule module in this package, sorted by id."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return tuple(sorted(modules, key=lambda m: str(m.ID)))


def run(tree: RenderedTree) -> list[Problem]:
    problems: list[Problem] = []
    for module in all_rules():
        problems.extend(module.check(tree))
    return problems
