"""Chart values validation: our Helm values files against each chart's `values.schema.json`.

For every Helm source of every Application in the tree that takes value files from this tree
(`$values/rendered/<env>/values/<chart>.yaml`, DOMAIN X31), the chart is looked up in the chart
schema locations, `{location}/{chart}/values.schema.json` (first location that has the folder
wins). The values Helm would render with are rebuilt the way Helm coalesces them: the chart's own
`values.yaml` from the same folder, then each value file in order, then `helm.valuesObject`;
mappings merge key by key, anything else is replaced, and a `null` in our values deletes the key
(Helm: "When the YAML value is null ... we remove the value's key"). `helm template` (what Argo CD
runs) validates exactly that result against the schema, so a problem found here is a sync failure
saved; it is reported at the line of the offending node in our values file.

A chart with no `values.schema.json` (e.g. OT redis-operator, upstream has none) is noted, not
failed. When the schema folder's `Chart.yaml` has another version than the Application pins, the
check still runs and warns that the schema may not match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from gitopsgen import yamlio
from gitopsgen.manifests import Document, RenderedTree
from gitopsgen.problems import Problem, Severity, dotted
from gitopsgen.validate import toolkit
from gitopsgen.validate.schemas import best_error, error_path, short_message
from gitopsgen.validate.toolkit import coalesce, dig

RULE = "chart-values"


@dataclass(frozen=True)
class ChartSchema:
    chart: str
    folder: Path
    version: str | None
    """`version` of the folder's Chart.yaml, when there is one."""
    defaults: dict[str, Any]
    """The chart's own values.yaml (empty when the folder has none)."""
    validator: Any | None
    """Compiled values.schema.json, None when the chart has no schema."""


def _load_yaml(path: Path) -> Any:
    documents = yamlio.load_all(path.read_text(encoding="utf-8"))
    return documents[0] if documents else None


@cache
def find_chart(locations: tuple[str, ...], chart: str) -> ChartSchema | None:
    """The first `{location}/{chart}/` folder, with its defaults and compiled schema."""
    from jsonschema import Draft7Validator, validators

    for location in locations:
        folder = Path(location) / chart
        if not folder.is_dir():
            continue
        meta = _load_yaml(folder / "Chart.yaml") if (folder / "Chart.yaml").is_file() else None
        version = meta.get("version") if isinstance(meta, dict) else None
        defaults = _load_yaml(folder / "values.yaml") if (folder / "values.yaml").is_file() else None
        validator = None
        schema_file = folder / "values.schema.json"
        if schema_file.is_file():
            schema = json.loads(schema_file.read_text(encoding="utf-8"))
            # Helm accepts draft-04..2020-12; a `$schema` jsonschema does not know (Reloader's
            # "http://json-schema.org/schema#") is read as draft-07, the common ground.
            validator = validators.validator_for(schema, default=Draft7Validator)(schema)
        return ChartSchema(chart, folder, str(version) if version is not None else None,
                           defaults if isinstance(defaults, dict) else {}, validator)
    return None


def _depth(data: Any, path: tuple[str | int, ...]) -> int:
    """How many leading steps of `path` exist in `data`."""
    missing = object()
    return next(d for d in range(len(path), -1, -1) if dig(data, *path[:d], default=missing) is not missing)


def _check_source(tree: RenderedTree, app: Document, source: toolkit.Source,
                  locations: tuple[str, ...]) -> list[Problem]:
    assert source.chart is not None
    paths = toolkit.values_paths(tree, app, source)
    if not paths:
        return []  # no values of ours to check (a missing file is argocd-value-files' finding)
    app_file = tree.display(app.file)
    app_line = tree.files[app.file].line_of(app.index, (*source.path, "chart"))
    found = find_chart(locations, source.chart)
    if found is None or found.validator is None:
        what = "no chart schema location has it" if found is None else "it has no values.schema.json"
        return [Problem(app_file, app_line, None, dotted((*source.path, "chart")),
                        f"values for chart {source.chart} not checked: {what}", rule=RULE,
                        severity=Severity.INFO)]
    problems = []
    pinned = source.data.get("targetRevision")
    if found.version is not None and pinned is not None and str(pinned) != found.version:
        problems.append(Problem(
            app_file, tree.files[app.file].line_of(app.index, (*source.path, "targetRevision")), None,
            dotted((*source.path, "targetRevision")),
            f"values.schema.json of {source.chart} is from chart version {found.version}, the "
            f"Application pins {pinned}; the check may not match what Helm renders", rule=RULE,
            severity=Severity.WARNING, hint=f"update {found.folder} or the pinned version"))

    layers = [doc.data if (doc := tree.first(p)) is not None else None for p in paths]
    merged: Any = found.defaults
    for layer in layers:
        merged = coalesce(merged, layer if layer is not None else {})
    values_object = dig(source.data, "helm", "valuesObject")
    if isinstance(values_object, dict):
        merged = coalesce(merged, values_object)

    for raw in sorted(found.validator.iter_errors(merged), key=lambda e: list(map(str, e.absolute_path))):
        error = best_error(raw)
        path = error_path(error)
        # The file of highest precedence that holds most of the path is the one to fix.
        depths = [_depth(layer, path) for layer in layers]
        chosen = max(range(len(paths)), key=lambda i: (depths[i], i))
        values_file = tree.files[paths[chosen]]
        message = short_message(error)
        problems.append(Problem(
            tree.display(values_file.path), values_file.line_of(0, path), None, dotted(path),
            f"{message} (chart {source.chart} values.schema.json)", rule=RULE,
            hint=None if depths[chosen] else "the value comes from the chart's defaults or is missing"))
    return problems


def validate_tree(tree: RenderedTree, locations: tuple[str, ...]) -> list[Problem]:
    """Problems of every values file that a Helm source of an Application in `tree` uses."""
    if not locations:
        return []
    problems: list[Problem] = []
    for app in toolkit.applications(tree):
        for source in toolkit.sources(app):
            if source.chart is not None:
                problems.extend(_check_source(tree, app, source, tuple(locations)))
    return problems
