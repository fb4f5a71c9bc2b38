"""Compiled JSON Schema validators: jsonschema-rs says whether a document is valid, jsonschema says why not.

Nearly every document we validate is valid, and asking jsonschema (pure Python) costs about
0.3 ms per manifest. So each schema is compiled twice, once per (apiVersion, kind) or chart, and
kept for the life of the store: by jsonschema-rs (Rust, a few microseconds per document) for the
yes/no, and by jsonschema, the reference, which only walks a document that jsonschema-rs rejects
(or cannot read: a YAML key that is not a string, a value JSON has no type for) to give the
errors with their paths and `best_match`. A document jsonschema-rs accepts has no schema
problems; tests/test_fast_validators.py checks on the corpus (the rendered trees, the mutated
documents of the validation corpus, documents sampled from every schema of the store and their
mutations) that both accept and reject exactly the same documents.

The two are configured alike: the draft is the one jsonschema chose (`validator_for`, with our
defaults), formats are annotations (jsonschema checks none without a format checker; Kubernetes'
`int32`, `byte`, `date-time` are not checked by the API server's schema either), and nothing is
fetched (`offline`): a schema whose `$ref`s jsonschema-rs cannot resolve, or whose patterns it
cannot compile, simply has no fast validator and every document goes to jsonschema.
`gitopsgen.fastpath.disabled()` sends every document to jsonschema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gitopsgen import fastpath


@dataclass(frozen=True, eq=False)
class Validator:
    reference: Any
    """The jsonschema validator: the errors, their paths and the best match."""
    fast: Any | None = None
    """The same schema compiled by jsonschema-rs, None when it could not be."""

    @property
    def schema(self) -> Any:
        return self.reference.schema

    def is_valid(self, instance: Any) -> bool:
        verdict = self.fast_verdict(instance)
        return verdict if verdict is not None else bool(self.reference.is_valid(instance))

    def iter_errors(self, instance: Any) -> Iterable[Any]:
        """jsonschema's errors (none when jsonschema-rs accepts the document)."""
        if self.fast_verdict(instance):
            return ()
        errors: Iterable[Any] = self.reference.iter_errors(instance)
        return errors

    def fast_verdict(self, instance: Any) -> bool | None:
        """jsonschema-rs's answer, None when there is none (no fast validator, the fast path is
        off, or a value it cannot read)."""
        if self.fast is None or not fastpath.enabled():
            return None
        try:
            return bool(self.fast.is_valid(instance))
        except Exception:  # a value JSON cannot hold (a non-string key, a date): ask jsonschema
            return None


def _fast_class(reference: Any) -> Any | None:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; the reference still works without it
        return None
    from jsonschema import (
        Draft4Validator,
        Draft6Validator,
        Draft7Validator,
        Draft201909Validator,
        Draft202012Validator,
    )

    classes = {Draft4Validator: jsonschema_rs.Draft4Validator, Draft6Validator: jsonschema_rs.Draft6Validator,
               Draft7Validator: jsonschema_rs.Draft7Validator, Draft201909Validator: jsonschema_rs.Draft201909Validator,
               Draft202012Validator: jsonschema_rs.Draft202012Validator}
    return classes.get(type(reference))


def registry(resources: Sequence[tuple[str, Any]]) -> Any | None:
    """A jsonschema-rs registry of (URI, schema) resources that `$ref`s point into, or None."""
    try:
        import jsonschema_rs

        return jsonschema_rs.Registry(list(resources))
    except Exception:
        return None


def compile_validator(reference: Any, fast_registry: Any | None = None) -> Validator:
    """`reference` (a jsonschema validator) with its schema also compiled by jsonschema-rs."""
    fast_class = _fast_class(reference)
    fast = None
    if fast_class is not None:
        options: dict[str, Any] = {"validate_formats": False, "offline": True}
        if fast_registry is not None:
            options["registry"] = fast_registry
        try:
            fast = fast_class(reference.schema, **options)
        except Exception:  # unresolvable $ref, a pattern Rust's regex rejects, an older jsonschema-rs
            fast = None
    return Validator(reference, fast)
