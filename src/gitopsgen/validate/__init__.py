"""Validation of a rendered tree: schemas (core kinds, custom resources, chart values) and cross-resource rules."""

from __future__ import annotations

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.schemas import SchemaOptions


def validate_tree(tree: RenderedTree, options: SchemaOptions) -> list[Problem]:
    from gitopsgen.validate import charts, rules, schemas

    problems = schemas.validate_tree(tree, options)
    problems.extend(charts.validate_tree(tree, options.chart_schema_locations))
    problems.extend(rules.run(tree))
    return sorted(problems)


__all__ = ["SchemaOptions", "validate_tree"]
