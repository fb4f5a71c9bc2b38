"""Chart values validation: our Helm values files against each chart's `values.schema.json`.

For every Helm source of every Application in the tree that takes value files from this tree
(`$values/rendered/<env>/values/<chart>.yaml`, docs/components.md §7), the chart is looked up in the schema
store (`gitopsgen.store.locations`: `charts/{chart}/` of the repository's schemas/, of schema
locations and of the packaged default store, or `{folder}/{chart}/` of chart schema locations;
the first that has the chart wins). The values Helm would render with are rebuilt the way Helm
coalesces them: the chart's own `values.yaml` from the same folder, then each value file in order,
then `helm.valuesObject`; mappings merge key by key, anything else is replaced, and a `null` in
our values deletes the key (Helm: "When the YAML value is null ... we remove the value's key").
`helm template` (what Argo CD runs) validates exactly that result against the schema, so a
problem found here is a sync failure saved; it is reported at the line of the offending node in
our values file.

A chart with no `values.schema.json` (e.g. OT redis-operator, upstream has none) is noted, not
failed. When the store's `Chart.yaml` has another version than the Application pins, the check
still runs and warns that the schema may not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitopsgen.core.problems import Problem, Severity, dotted
from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.validate import compiled, toolkit
from gitopsgen.validate.schemas import best_error, error_path, short_message
from gitopsgen.validate.toolkit import dig, overlay

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore

RULE = "chart-values"


@dataclass(frozen=True)
class ChartSchema:
    chart: str
    origin: str
    """Where the store found the chart, for messages."""
    version: str | None
    """`version` of the store's Chart.yaml, when there is one."""
    defaults: dict[str, Any]
    """The chart's own values.yaml (empty when the store has none)."""
    validator: compiled.Validator | None
    """Compiled values.schema.json, None when the chart has no schema."""


def find_chart(store: SchemaStore, chart: str) -> ChartSchema | None:
    """The chart's defaults and compiled schema from the first location that has it (compiled once per store)."""

    def make() -> ChartSchema | None:
        from jsonschema import Draft7Validator, validators

        found = store.chart(chart)
        if found is None:
            return None
        validator = None
        schema = found.values_schema
        if schema is not None:
            # Helm accepts draft-04..2020-12; a `$schema` jsonschema does not know (Reloader's
            # "http://json-schema.org/schema#") is read as draft-07, the common ground.
            validator = found.compiled("validator", lambda: compiled.compile_validator(
                validators.validator_for(schema, default=Draft7Validator)(schema)))
        return ChartSchema(chart, found.origin, found.version, found.values, validator)

    return store.memo(("chart-validator", chart), make)


def _depth(data: Any, path: tuple[str | int, ...]) -> int:
    """How many leading steps of `path` exist in `data`."""
    missing = object()
    return next(d for d in range(len(path), -1, -1) if dig(data, *path[:d], default=missing) is not missing)


def _check_source(tree: RenderedTree, app: Document, source: toolkit.Source, store: SchemaStore) -> list[Problem]:
    assert source.chart is not None
    paths = toolkit.values_paths(tree, app, source)
    if not paths:
        return []  # no values of ours to check (a missing file is argocd-value-files' finding)
    app_file = tree.display(app.file)
    found = find_chart(store, source.chart)
    if found is None or found.validator is None:
        what = "no schema location has it" if found is None else "it has no values.schema.json"
        app_line = tree.files[app.file].line_of(app.index, (*source.path, "chart"))
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
            severity=Severity.WARNING,
            hint=f"update the schema store (`gitopsgen schemas sync`; it has {found.origin}) or the pinned version"))

    layers = [doc.data if (doc := tree.first(p)) is not None else None for p in paths]
    # `overlay`, not `coalesce`: the merged values are only read, so they share what they do not
    # change with the chart's defaults and our files instead of copying them.
    merged: Any = found.defaults
    for layer in layers:
        merged = overlay(merged, layer if layer is not None else {})
    values_object = dig(source.data, "helm", "valuesObject")
    if isinstance(values_object, dict):
        merged = overlay(merged, values_object)

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


def validate_tree(tree: RenderedTree, locations: tuple[str, ...] | SchemaStore) -> list[Problem]:
    """Problems of every values file that a Helm source of an Application in `tree` uses.
    `locations`: the schema store, or only these chart folders (`{folder}/{chart}/`)."""
    if isinstance(locations, tuple):
        if not locations:
            return []
        from gitopsgen.store.locations import open_store

        locations = open_store(None, (), locations, repository=False, default=False)
    problems: list[Problem] = []
    for app in toolkit.applications(tree):
        for source in toolkit.sources(app):
            if source.chart is not None:
                problems.extend(_check_source(tree, app, source, locations))
    return problems
