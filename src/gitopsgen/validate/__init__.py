"""Validation of a rendered tree: schemas (core kinds, custom resources, chart values) and cross-resource rules."""

from __future__ import annotations

from gitopsgen.layout import rendered_dir
from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.schemas import SchemaOptions


def validate_tree(tree: RenderedTree, options: SchemaOptions) -> list[Problem]:
    from gitopsgen.validate import charts, rules, schemas

    prefix = rendered_dir(tree.env)
    problems = schemas.validate_tree(tree, options, prefix)
    problems.extend(charts.validate_tree(tree, options.chart_schema_locations, prefix))
    problems.extend(rules.run(tree))
    return sorted(problems)


__all__ = ["SchemaOptions", "validate_tree"]
