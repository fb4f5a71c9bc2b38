"""argocd-value-files: multi-source value files resolve to files of this render.

Facts: docs/components.md §7.

In a multi-source Application, a Git source with `ref: values` exposes `$values`, and a Helm
source reads `helm.valueFiles: [$values/<path from the repository root>]`. Argo CD resolves the
variable only as the first path segment, only against a sibling source with that `ref`, and a
`ref` source must not also be a chart. This rule checks, for every value file:

* a `$<ref>` prefix names a sibling source with `ref: <ref>` (and `spec.sources` is used at all:
  a single `spec.source` has no siblings);
* `$` appears only as that prefix (`values/$values/x.yaml` is read literally);
* the path lies in this environment's `rendered/<env>/` and names a file the same render produces
  (otherwise the sync fails: "no such file or directory", or worse, uses another env's values);
* `ref` sources have no `chart`;
* keys set in `helm.valuesObject` are not also set in a value file (valuesObject silently wins).

Upstream: Argo CD docs/user-guide/multiple_sources.md ("Helm value files from external Git
repository"), docs/user-guide/helm.md (precedence).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-value-files"


def _leaves(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from _leaves(value, (*path, str(key)))
    elif path:
        yield path


def check(tree: RenderedTree) -> Iterator[Finding]:
    for app in toolkit.applications(tree):
        sources = toolkit.sources(app)
        multi = isinstance(dig(app.data, "spec", "sources"), list)
        refs = {s.ref for s in sources if s.ref}
        for source in sources:
            if source.ref and source.chart:
                yield Finding((*source.path, "ref"),
                              f"source with ref: {source.ref} also has chart: {source.chart}; a ref "
                              "source only supplies files", doc=app)
        for value_file in toolkit.value_files(app):
            raw = value_file.raw
            variable = value_file.variable
            if "$" in raw[1:]:
                yield Finding(value_file.node,
                              f"value file {raw!r} uses $ other than as the leading $<ref>/ prefix", doc=app)
                continue
            if variable is None:
                continue  # a file inside the chart itself
            if not multi:
                yield Finding(value_file.node,
                              f"value file {raw!r} needs spec.sources with a ref: {variable} source", doc=app)
                continue
            if variable not in refs:
                yield Finding(value_file.node,
                              f"value file {raw!r}: no sibling source has ref: {variable}",
                              hint=f"add a Git source with ref: {variable}", doc=app)
                continue
            if not value_file.repo_path:
                yield Finding(value_file.node,
                              f"value file {raw!r} names no file after ${variable}/", doc=app)
                continue
            path = toolkit.tree_path(tree, value_file.repo_path)
            if path is None:
                yield Finding(value_file.node,
                              f"value file {raw!r} is outside {tree.root_path}/",
                              hint=f"use ${variable}/{tree.root_path}/values/<chart>.yaml", doc=app)
            elif path not in tree.files:
                yield Finding(value_file.node,
                              f"value file {raw!r}: this render produces no {path}",
                              hint=f"add templates/{path}.j2", doc=app)
            else:
                values_object = dig(value_file.source.data, "helm", "valuesObject")
                values = tree.first(path)
                data = values.data if values is not None else None
                for leaf in _leaves(values_object):
                    if dig(data, *leaf) is not None:
                        yield Finding((*value_file.source.path, "helm", "valuesObject", *leaf),
                                      f"{'.'.join(leaf)} is set in valuesObject and in {path}; "
                                      "valuesObject silently wins", severity=Severity.WARNING, doc=app)
