"""Schema validation of rendered manifests.

* Core kinds: the Kubernetes OpenAPI schemas that kubernetes-validate ships (strict variants:
  unknown fields are errors), for the spec's Kubernetes version. One registry of definitions is
  built per version and one compiled validator per (apiVersion, kind), both cached.
* Custom resources: JSON schemas from the schema store (`gitopsgen.store.locations`: the
  repository's schemas/, then schema locations, then the store packaged with gitopsgen), one
  compiled validator per (apiVersion, kind), kept for the life of the store.

Every error becomes a `Problem` at the line of the offending node in the rendered file. For
`anyOf`/`oneOf` failures the best-matching branch is reported, not the whole tree. A compiled
validator is two (`gitopsgen.validate.compiled`): jsonschema-rs decides whether a document is
valid, and only a document it rejects is walked by jsonschema for the errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitopsgen.core.problems import Finding, Problem, Severity, dotted
from gitopsgen.tree import goyaml
from gitopsgen.tree.manifests import Document, Identity, Manifest, RenderedTree
from gitopsgen.validate import admission, cel, compiled, kinds, messages, objectmeta, semantic
from gitopsgen.validate.core_schemas import core_schemas_folder

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore


@cache
@cache
def supported_kubernetes_versions() -> tuple[str, ...]:
    """Every Kubernetes minor version with bundled core schemas (`1.30`), oldest first."""
    found = {m.group(1) for p in core_schemas_folder().iterdir() if (m := re.match(r"v(\d+\.\d+)\.", p.name))}
    return tuple(sorted(found, key=lambda v: tuple(int(x) for x in v.split("."))))


@cache
def resolve_kubernetes_version(requested: str) -> tuple[str, str | None]:
    """The newest bundled schema version not newer than `requested` (+ a note if it differs)."""
    versions = supported_kubernetes_versions()

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(x) for x in v.split("."))

    older = [v for v in versions if key(v) <= key(requested)]
    if older:
        chosen = older[-1]
        note = None if chosen == requested else f"no schemas for Kubernetes {requested}; using {chosen}"
        return chosen, note
    return versions[0], f"no schemas for Kubernetes {requested}; using the oldest bundled, {versions[0]}"


@cache
def _core_registry(version: str, strict: bool) -> tuple[Any, Any, Path]:
    """(jsonschema registry, jsonschema-rs registry, folder) of a version's core schemas: every
    kind's schema `$ref`s into the shared `_definitions.json`."""
    from referencing import Registry, Resource

    folder = core_schemas_folder() / f"v{version}.0-local{'-strict' if strict else ''}"
    definitions = json.loads((folder / "_definitions.json").read_text())
    registry = Resource.from_contents(definitions) @ Registry()
    uri = definitions.get("$id")

    @cache
    def fast() -> Any | None:  # built when a first core kind is compiled by jsonschema-rs
        return compiled.registry([(uri, definitions)]) if isinstance(uri, str) else None

    return registry, fast, folder


@cache
def _core_validator(version: str, strict: bool, api_version: str, kind: str) -> compiled.Validator | None:
    """The compiled schema of a built-in (apiVersion, kind), None when kubernetes-validate has none."""
    from jsonschema import Draft202012Validator
    from referencing import Resource

    registry, fast_registry, folder = _core_registry(version, strict)
    # kubernetes-validate's file naming: rbac.authorization.k8s.io/v1 -> rbac-v1; v1 -> v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = folder / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    reference = Draft202012Validator(schema, registry=Resource.from_contents(schema) @ registry)
    return compiled.compile_validator(reference, fast_registry)


def core_validator(version: str, api_version: str, kind: str) -> compiled.Validator | None:
    """The strict schema of a built-in kind for Kubernetes `version` (like "1.33"), as validation uses it."""
    return _core_validator(version, True, api_version, kind)


def crd_validator(store: SchemaStore, ident: Identity) -> compiled.Validator | None:
    """The compiled schema of a custom resource's (apiVersion, kind), None when no location has one."""

    def make() -> compiled.Validator | None:
        from jsonschema import Draft7Validator, validators

        found = store.lookup(ident.group, ident.version, ident.kind)
        if found is None:
            return None
        return found.compiled("validator", lambda: compiled.compile_validator(
            validators.validator_for(found.schema, default=Draft7Validator)(found.schema)))

    return store.memo(("validator", ident.api_version, ident.kind), make)


@dataclass(frozen=True)
class SchemaOptions:
    kubernetes_version: str
    schema_locations: tuple[str, ...] = ()
    strict: bool = False
    """A custom resource without a schema is an error (otherwise: not checked, reported as info)."""
    chart_schema_locations: tuple[str, ...] = ()
    """Folders holding `{chart}/values.schema.json` (+ values.yaml) for chart values validation."""
    store: SchemaStore | None = field(default=None, compare=False)
    """The store to ask; None: one opened from the locations above plus the packaged default store."""

    def schema_store(self) -> SchemaStore:
        if self.store is not None:
            return self.store
        from gitopsgen.store.locations import open_store

        return open_store(None, self.schema_locations, self.chart_schema_locations)


def best_error(error: Any) -> Any:
    """For anyOf/oneOf failures, the best-matching branch's error rather than the whole tree."""
    from jsonschema.exceptions import best_match

    while error.context:
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    return error


def error_path(error: Any) -> tuple[str | int, ...]:
    """The JSON path of an error; for unexpected properties, the path of the (first) bad key."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        extras = [k for k in error.instance
                  if k not in known and not any(re.search(p, str(k)) for p in patterns)]
        if extras:
            path = (*path, extras[0])
    return path


def short_message(error: Any) -> str:
    """The error's message in YAML's words, long values shortened (`messages.schema_message`)."""
    return messages.schema_message(error)[0]


def admission_problems(tree: RenderedTree, doc: Manifest, findings: Iterable[Finding]) -> list[Problem]:
    """Findings of the admission and CEL layers as Problems at their node's line."""
    rendered = tree.files[doc.file]
    return [f.at(tree.display(doc.file), rendered.line_of(doc.index, f.path), suffix=f" ({doc.ident})")
            for f in findings]


def skipped_problems(tree: RenderedTree, doc: Manifest, skipped: Iterable[cel.SkippedRule]) -> list[Problem]:
    """Transition rules (`oldSelf`) are evaluated as on create, i.e. not at all: a note for -v."""
    rendered = tree.files[doc.file]
    return [Problem(tree.display(doc.file), rendered.line_of(doc.index, rule.path), None, dotted(rule.path),
                    f"not evaluated: {rule.reason}: {rule.rule}", rule="cel", severity=Severity.INFO)
            for rule in skipped]


def validate_tree(tree: RenderedTree, options: SchemaOptions) -> list[Problem]:
    """Schema problems of every manifest in `tree`, at the lines of its files."""
    version, note = resolve_kubernetes_version(options.kubernetes_version)
    store = options.schema_store()
    problems: list[Problem] = []
    if note:
        problems.append(Problem(tree.root_path or "gitopsgen", message=note, rule="schema", severity=Severity.WARNING))
    missing: dict[tuple[str, str], list[Document]] = {}
    for doc in tree.manifests():
        ident = doc.ident
        rendered = tree.files[doc.file]
        validator = _core_validator(version, True, ident.api_version, ident.kind)
        if validator is not None:
            problems.extend(admission_problems(tree, doc, admission.check_core(doc.data, version)))
            problems.extend(admission_problems(tree, doc, semantic.check(doc.data, version)))
        else:
            validator = crd_validator(store, ident)
            if validator is not None:
                checked = admission.check_custom_resource(doc.data, validator.schema)
                problems.extend(admission_problems(tree, doc, checked.findings))
                problems.extend(skipped_problems(tree, doc, checked.skipped))
        if validator is None and (unserved := kinds.unservable(ident, version, store)) is not None:
            problems.append(Problem(tree.display(doc.file), rendered.line_of(doc.index, ("apiVersion",)), None,
                                    "apiVersion", f"{unserved[0]} ({ident})", rule="schema", hint=unserved[1]))
            continue
        if validator is None:
            missing.setdefault((ident.api_version, ident.kind), []).append(doc)
            problems.extend(admission_problems(
                tree, doc, objectmeta.check_metadata(doc.data, custom=True, cluster_scoped=None)))
            continue
        for raw in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
            error = best_error(raw)
            path = error_path(error)
            line = rendered.line_of(doc.index, path)
            written = (goyaml.written(rendered.text, line, path[-1])  # the text YAML 1.1 read as such
                       if isinstance(error.instance, (bool, int, float)) and path else None)
            message, hint = messages.schema_message(error, written)
            problems.append(Problem(
                tree.display(doc.file), line, None, dotted(path), f"{message} ({ident})", rule="schema", hint=hint,
            ))
    for (api_version, kind), docs in sorted(missing.items()):
        first = docs[0]
        severity = Severity.ERROR if options.strict else Severity.INFO
        problems.append(Problem(
            tree.display(first.file), tree.files[first.file].line_of(first.index, ()), None, "",
            f"no schema for {kind} {api_version} ({len(docs)} object{'s' if len(docs) > 1 else ''} not checked)",
            rule="schema", severity=severity,
            hint="import its CRD into the repository's store (`gitopsgen schemas import <CRD file, chart or URL>`) "
                 "or add a --schema-location",
        ))
    return problems
