"""Findings on rendered output, pointed at where the user edits.

Every layer that checks a rendered tree (schemas, chart values, cross-resource rules, CEL)
reports a `Problem` at a line of `rendered/<env>/<file>`. `enrich` adds, for each of them, the
template line that wrote that node and the spec values written on it (`render.trace`,
`render.provenance`), from the file and line alone: a new layer gets provenance by reporting
rendered lines like the others.

A rendered line only means something on disk when the file there holds exactly what was
rendered. When it does not (the render failed and wrote nothing, or `--check` found the file
stale), `relocate` makes the template line the problem's location and keeps the rendered one as
`Problem.rendered`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from gitopsgen.core.problems import Problem
from gitopsgen.tree.manifests import RenderedFile, RenderedTree
from gitopsgen.tree.yamlio import dig

_MISSING = object()


def _file_of(tree: RenderedTree, problem: Problem) -> RenderedFile | None:
    prefix = tree.display("")
    if not problem.file.startswith(prefix):
        return None
    return tree.files.get(problem.file[len(prefix):])


def _spec_values(found: tuple[tuple[str, Any], ...], node: Any) -> tuple[str, ...]:
    """The locations of the spec values behind `node`: those equal to it when it is a scalar
    and some are (a line of inline YAML holds several), else those inside it, else all."""
    if not found:
        return ()
    if not isinstance(node, (dict, list)) and node is not _MISSING:
        text = str(node)
        equal = [loc for loc, value in found if str(value) == text]
        inside = [loc for loc, value in found if str(value) and str(value) in text]
        chosen = equal or inside
        if chosen:
            return tuple(dict.fromkeys(chosen))
    return tuple(dict.fromkeys(loc for loc, _ in found))


def enrich(tree: RenderedTree, problems: Iterable[Problem]) -> list[Problem]:
    """`problems` with `template`, `template_line` and `spec_locations` filled in where known."""
    out = []
    for problem in problems:
        rendered = _file_of(tree, problem) if problem.template is None and problem.line is not None else None
        node = rendered.node_at(problem.line) if rendered is not None and problem.line is not None else None
        origin = rendered.origin(*node) if rendered is not None and node is not None else None
        if rendered is None or node is None or origin is None or origin.template is None:
            out.append(problem)
            continue
        doc, path = node
        value = dig(rendered.documents[doc].data, *path, default=_MISSING)
        out.append(replace(problem, template=origin.template, template_line=origin.line,
                           spec_locations=_spec_values(origin.spec, value)))
    return out


def relocate(tree: RenderedTree, problems: Iterable[Problem], on_disk: Collection[str]) -> list[Problem]:
    """Problems on files of `tree` that are not on disk as rendered (paths relative to the tree,
    not in `on_disk`) move to their template line; the rendered location is kept in `rendered`."""
    out = []
    for problem in problems:
        rendered = _file_of(tree, problem)
        if rendered is None or rendered.path in on_disk or problem.template is None or problem.rendered:
            out.append(problem)
            continue
        out.append(replace(problem, file=problem.template, line=problem.template_line, column=None,
                           rendered=problem.location))
    return out
