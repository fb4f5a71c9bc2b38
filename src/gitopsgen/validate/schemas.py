"""Schema validation of rendered manifests.

* Core kinds: the Kubernetes OpenAPI schemas that kubernetes-validate ships (strict variants:
  unknown fields are errors), for the spec's Kubernetes version. One registry of definitions is
  built per version and one compiled validator per (apiVersion, kind), both cached.
* Custom resources: JSON schemas found in schema locations laid out like kubeconform's
  CRDs-catalog, `{location}/{group}/{kind}_{version}.json` (kind lower-cased). The first location
  that has the file wins. A location may also be a kubeconform-style template containing
  `{{.Group}}`, `{{.ResourceKind}}` and `{{.ResourceAPIVersion}}`.

Every error becomes a `Problem` at the line of the offending node in the rendered file. For
`anyOf`/`oneOf` failures the best-matching branch is reported, not the whole tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from gitopsgen.manifests import Document, Identity, Manifest, RenderedTree
from gitopsgen.problems import Problem, Severity, dotted
from gitopsgen.validate import admission, cel, objectmeta
from gitopsgen.validate.findings import Finding


@cache
def supported_kubernetes_versions() -> tuple[str, ...]:
    import kubernetes_validate.utils as kv

    return tuple(kv.major_minor(v) for v in kv.all_versions())


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
def _core_registry(version: str, strict: bool) -> tuple[Any, Path]:
    import importlib.resources

    from referencing import Registry, Resource

    base = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
    folder = Path(str(base / f"v{version}.0-local{'-strict' if strict else ''}"))
    definitions = json.loads((folder / "_definitions.json").read_text())
    registry = Resource.from_contents(definitions) @ Registry()
    return registry, folder


@cache
def _core_validator(version: str, strict: bool, api_version: str, kind: str) -> Any | None:
    from jsonschema import Draft202012Validator
    from referencing import Resource

    registry, folder = _core_registry(version, strict)
    # kubernetes-validate's file naming: rbac.authorization.k8s.io/v1 -> rbac-v1; v1 -> v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = folder / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    return Draft202012Validator(schema, registry=Resource.from_contents(schema) @ registry)


_TEMPLATE_VARS = re.compile(r"\{\{\s*\.(Group|ResourceKind|ResourceAPIVersion|KindSuffix)\s*\}\}")


@dataclass
class CrdSchemas:
    """Custom-resource schemas from kubeconform-style locations (folders or path templates)."""

    locations: tuple[str, ...]
    _cache: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def candidates(self, ident: Identity) -> Iterator[Path]:
        group, version, kind = ident.group, ident.version, ident.kind.lower()
        values = {"Group": group, "ResourceKind": kind, "ResourceAPIVersion": version,
                  "KindSuffix": group.split(".")[0]}

        def substitute(match: re.Match[str]) -> str:
            return values[match.group(1)]

        for location in self.locations:
            if "{{" in location:
                yield Path(_TEMPLATE_VARS.sub(substitute, location))
            else:
                yield Path(location) / group / f"{kind}_{version}.json"

    def validator(self, ident: Identity) -> Any | None:
        key = (ident.group, ident.kind, ident.version)
        if key not in self._cache:
            self._cache[key] = self._load(ident)
        return self._cache[key]

    def _load(self, ident: Identity) -> Any | None:
        from jsonschema import validators

        for path in self.candidates(ident):
            if path.is_file():
                schema = json.loads(path.read_text())
                cls = validators.validator_for(schema)
                return cls(schema)
        return None


@dataclass(frozen=True)
class SchemaOptions:
    kubernetes_version: str
    schema_locations: tuple[str, ...] = ()
    strict: bool = False
    """A custom resource without a schema is an error (otherwise: not checked, reported as info)."""
    chart_schema_locations: tuple[str, ...] = ()
    """Folders holding `{chart}/values.schema.json` (+ values.yaml) for chart values validation."""


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
    text = str(error.message)
    return text if len(text) <= 300 else text[:297] + "..."


def admission_problems(tree: RenderedTree, doc: Manifest, findings: Iterable[Finding]) -> list[Problem]:
    """Findings of the admission and CEL layers as Problems at their node's line."""
    rendered = tree.files[doc.file]
    return [Problem(tree.display(doc.file), rendered.line_of(doc.index, f.path), None, dotted(f.path),
                    f"{f.message} ({doc.ident})", rule=f.rule, severity=f.severity, hint=f.hint)
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
    crds = CrdSchemas(options.schema_locations)
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
        else:
            validator = crds.validator(ident)
            if validator is not None:
                checked = admission.check_custom_resource(doc.data, validator.schema)
                problems.extend(admission_problems(tree, doc, checked.findings))
                problems.extend(skipped_problems(tree, doc, checked.skipped))
        if validator is None:
            missing.setdefault((ident.api_version, ident.kind), []).append(doc)
            problems.extend(admission_problems(
                tree, doc, objectmeta.check_metadata(doc.data, custom=True, cluster_scoped=None)))
            continue
        for raw in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
            error = best_error(raw)
            path = error_path(error)
            problems.append(Problem(
                tree.display(doc.file), rendered.line_of(doc.index, path), None,
                dotted(path), f"{short_message(error)} ({ident})", rule="schema",
            ))
    for (api_version, kind), docs in sorted(missing.items()):
        first = docs[0]
        severity = Severity.ERROR if options.strict else Severity.INFO
        problems.append(Problem(
            tree.display(first.file), tree.files[first.file].line_of(first.index, ()), None, "",
            f"no schema for {kind} {api_version} ({len(docs)} object{'s' if len(docs) > 1 else ''} not checked)",
            rule="schema", severity=severity,
            hint="add a --schema-location with {group}/{kind}_{version}.json files",
        ))
    return problems
