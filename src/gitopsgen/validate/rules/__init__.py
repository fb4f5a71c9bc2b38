"""Cross-resource rules: one small module per rule, discovered automatically.

A rule module defines

    ID = "argocd-destination"                     # stable id, shown as [rule]
    def check(tree: RenderedTree) -> Iterator[Finding]: ...

or, for a rule across environments (run by `render --all`, which renders all of them):

    ID = "cross-tunnel-id"
    def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]: ...

and its docstring, starting `<id>:`, is the rule's user documentation: what it enforces and the
upstream issue or document that motivates it. Rules look only at the rendered objects, never at
the spec: they check that what Argo CD will apply is consistent, whoever wrote the templates.
They import `gitopsgen.validate.toolkit` for lookups and yield `toolkit.Finding`s; `run` turns
those into `Problem`s at the node's line in the rendered file. Adding a rule is adding a module
here and a test file `tests/rules/test_<module>.py`: nothing else lists them. A cross-environment
finding is reported in the environment whose site it names (`CrossFinding.site`), and its message
names the other environment's file and line.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from types import ModuleType
from typing import Protocol

from gitopsgen.core.problems import Problem, Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Finding

__all__ = ["CrossRuleModule", "RuleModule", "all_rules", "cross_rules", "every_rule", "problem", "run", "run_across",
           "run_rule"]


class RuleModule(Protocol):
    ID: str

    def check(self, tree: RenderedTree) -> Iterator[Finding]: ...


class CrossRuleModule(Protocol):
    ID: str

    def check_all(self, trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]: ...


@cache
def every_rule() -> tuple[ModuleType, ...]:
    """Every rule module in this package, per-tree and cross-environment, sorted by id."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return tuple(sorted(modules, key=lambda m: str(m.ID)))


def all_rules() -> tuple[ModuleType, ...]:
    """The rules of one tree (modules with `check`), sorted by id."""
    return tuple(m for m in every_rule() if hasattr(m, "check"))


def cross_rules() -> tuple[ModuleType, ...]:
    """The rules across environments (modules with `check_all`), sorted by id."""
    return tuple(m for m in every_rule() if hasattr(m, "check_all"))


def problem(tree: RenderedTree, rule: str, finding: Finding) -> Problem:
    """A finding as a Problem at its node's line of the rendered file, naming the object."""
    doc = finding.doc
    ident = doc.identity
    return finding.at(tree.display(doc.file), tree.files[doc.file].line_of(doc.index, finding.path), rule=rule,
                      suffix=f" ({ident})" if ident is not None else "")


SHAPE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError)
"""What a rule raises when a document has a shape its schema forbids (a number where a mapping
belongs, in a hand-edited file checked with `validate --path`): the schema layer reports the
cause; the rule says it could not check, instead of ending the run as a bug."""


def run_rule(module: ModuleType | RuleModule, tree: RenderedTree) -> list[Problem]:
    found: list[Problem] = []
    try:
        for item in module.check(tree):
            found.append(problem(tree, module.ID, item))
    except SHAPE_ERRORS as exc:
        found.append(Problem(tree.root_path or next(iter(sorted(tree.files)), "gitopsgen"), rule=module.ID,
                             severity=Severity.WARNING,
                             message=f"not checked: a value has a shape the rule does not expect "
                                     f"({type(exc).__name__}: {exc})",
                             hint="fix the schema findings first; this rule checks the tree again then"))
    return found


def run(tree: RenderedTree, modules: Iterable[ModuleType] | None = None) -> list[Problem]:
    """Problems of every rule (or of `modules`) on `tree`."""
    problems: list[Problem] = []
    for module in all_rules() if modules is None else modules:
        problems.extend(run_rule(module, tree))
    return problems


def run_across(trees: Sequence[RenderedTree],
               modules: Iterable[ModuleType | CrossRuleModule] | None = None) -> dict[str, list[Problem]]:
    """Problems of every cross-environment rule (or of `modules`) on `trees`, by environment."""
    found: dict[str, list[Problem]] = {tree.env: [] for tree in trees}
    for module in cross_rules() if modules is None else modules:
        for item in module.check_all(trees):
            site = item.site
            finding = Finding(site.path, item.message, severity=item.severity, hint=item.hint, doc=site.doc)
            found[site.tree.env].append(problem(site.tree, module.ID, finding))
    return found
