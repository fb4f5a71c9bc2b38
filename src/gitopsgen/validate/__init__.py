"""Validation of a rendered tree: schemas (core kinds, custom resources, chart values) and cross-resource rules."""

from __future__ import annotations

from gitopsgen.layout import rendered_dir
from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.schemas import SchemaOptions


def validate_tree(tree: RenderedTree, options: SchemaOptions) -> list[Problem]:
    """Every finding on `tree`, each with the template line and spec values behind it, and no
    message showing a value the no-secret-values rule recognises as a secret."""
    from dataclasses import replace

    from gitopsgen.provenance import enrich
    from gitopsgen.secret_shapes import redact
    from gitopsgen.validate import charts, rules, schemas
    from gitopsgen.validate.rules import no_secret_values

    prefix = rendered_dir(tree.env)
    problems = schemas.validate_tree(tree, options, prefix)
    problems.extend(charts.validate_tree(tree, options.chart_schema_locations, prefix))
    problems.extend(rules.run(tree))
    known = sorted(no_secret_values.secret_values(tree), key=len, reverse=True)
    problems = [replace(p, message=redact(p.message, known), hint=p.hint and redact(p.hint, known))
                for p in problems]
    return sorted(enrich(tree, problems))


__all__ = ["SchemaOptions", "validate_tree"]
