"""Cross-resource rules: one small module per rule, discovered automatically.

A rule module defines

    ID = "argocd-destination"                     # stable id, shown as [rule]
    def check(tree: RenderedTree) -> Iterator[Finding]: ...

and its docstring, starting `<id>:`, is the rule's user documentation: what it enforces and the
upstream issue or document that motivates it. Rules look only at the rendered objects, never at
the spec: they check that what Argo CD will apply is consistent, whoever wrote the templates.
They import `gitopsgen.validate.toolkit` for lookups and yield `toolkit.Finding`s; `run` turns
those into `Problem`s at the node's line in the rendered file. Adding a rule is adding a module
here and a test file `tests/rules/test_<module>.py`: nothing else lists them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from functools import cache
from types import ModuleType
from typing import Protocol

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem, dotted
from gitopsgen.validate.toolkit import Finding

__all__ = ["RuleModule", "all_rules", "problem", "run", "run_rule"]


class RuleModule(Protocol):
    ID: str

    def check(self, tree: RenderedTree) -> Iterator[Finding]: ...


@cache
def all_rules() -> tuple[ModuleType, ...]:
    """Every rule module in this package, sorted by id."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return tuple(sorted(modules, key=lambda m: str(m.ID)))


def problem(tree: RenderedTree, rule: str, finding: Finding) -> Problem:
    """A finding as a Problem at its node's line of the rendered file, naming the object."""
    doc = finding.doc
    ident = doc.identity
    where = f" ({ident})" if ident is not None else ""
    return Problem(tree.display(doc.file), tree.files[doc.file].line_of(doc.index, finding.path), None,
                   dotted(finding.path), finding.message + where, rule=rule, severity=finding.severity,
                   hint=finding.hint)


def run_rule(module: ModuleType | RuleModule, tree: RenderedTree) -> list[Problem]:
    return [problem(tree, module.ID, f) for f in module.check(tree)]


def run(tree: RenderedTree, modules: Iterable[ModuleType] | None = None) -> list[Problem]:
    """Problems of every rule (or of `modules`) on `tree`."""
    problems: list[Problem] = []
    for module in all_rules() if modules is None else modules:
        problems.extend(run_rule(module, tree))
    return problems
