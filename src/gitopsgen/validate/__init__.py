"""Validation of a rendered tree: schemas (core kinds, custom resources, chart values) and cross-resource rules."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gitopsgen.core.problems import Problem
from gitopsgen.tree.manifests import RenderedTree

if TYPE_CHECKING:
    from gitopsgen.validate.schemas import SchemaOptions


def __getattr__(name: str) -> Any:
    """`SchemaOptions` on first use: the validators behind it are not imported by what only needs
    a module of this package (`kubeversion`), such as a run served from the result cache."""
    if name == "SchemaOptions":
        from gitopsgen.validate.schemas import SchemaOptions

        return SchemaOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def validate_tree(tree: RenderedTree, options: SchemaOptions, *, cross_resource: bool = True) -> list[Problem]:
    """Every finding on `tree`, each with the template line and spec values behind it, and no
    message showing a value the no-secret-values rule recognises as a secret. `cross_resource=False`
    leaves out the rules, which describe a whole rendered environment (files read from disk outside
    `rendered/<env>/` are checked document by document)."""
    from gitopsgen.facts.secret_shapes import redact
    from gitopsgen.tree.relocate import enrich
    from gitopsgen.validate import charts, rules, schemas
    from gitopsgen.validate.rules import no_secret_values

    store = options.schema_store()
    problems = schemas.validate_tree(tree, replace(options, store=store))
    problems.extend(charts.validate_tree(tree, store))
    if cross_resource:
        problems.extend(rules.run(tree))
    if not problems:
        return []
    # The rule's scan of the tree, done once (kept in the tree's index) and shared with the rule.
    known = sorted(no_secret_values.secret_values(tree), key=len, reverse=True)
    problems = [replace(p, message=redact(p.message, known), hint=p.hint and redact(p.hint, known))
                for p in problems]
    return sorted(enrich(tree, problems))


__all__ = ["SchemaOptions", "validate_tree"]
