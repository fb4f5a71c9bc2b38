"""Validation of a rendered tree: schemas (core kinds, custom resources, chart values) and cross-resource rules."""

from __future__ import annotations

from dataclasses import replace

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.schemas import SchemaOptions


def validate_tree(tree: RenderedTree, options: SchemaOptions, *, cross_resource: bool = True) -> list[Problem]:
    """Every layer on one tree. `cross_resource=False` leaves out the rules, which describe a
    whole rendered environment (files read from disk outside `rendered/<env>/` are checked
    document by document)."""
    from gitopsgen.validate import charts, rules, schemas

    store = options.schema_store()
    problems = schemas.validate_tree(tree, replace(options, store=store))
    problems.extend(charts.validate_tree(tree, store))
    if cross_resource:
        problems.extend(rules.run(tree))
    return sorted(problems)


__all__ = ["SchemaOptions", "validate_tree"]
