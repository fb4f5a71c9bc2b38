"""Validation of a rendered tree: schemas (core kinds, custom resources, chart values) and cross-resource rules."""

from __future__ import annotations

from dataclasses import replace

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.schemas import SchemaOptions


def validate_tree(tree: RenderedTree, options: SchemaOptions) -> list[Problem]:
    from gitopsgen.validate import charts, rules, schemas

    store = options.schema_store()
    problems = schemas.validate_tree(tree, replace(options, store=store))
    problems.extend(charts.validate_tree(tree, store))
    problems.extend(rules.run(tree))
    return sorted(problems)


__all__ = ["SchemaOptions", "validate_tree"]
