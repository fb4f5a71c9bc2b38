"""Compiled JSON Schema validators: jsonschema-rs says whether a document is valid, jsonschema says why not.

Nearly every document we validate is valid, and asking jsonschema (pure Python) costs 0.1 to
1 ms per manifest. So each schema (one per (apiVersion, kind), or per chart) is compiled twice and
kept with the store (with the schema itself for the packaged store: once per process): by
jsonschema-rs (Rust, a few microseconds per document) for the yes/no, and by jsonschema, the
reference, which only walks a document that jsonschema-rs rejects (or cannot read: a YAML key
that is not a string, a value JSON has no type for) to give the errors with their paths and
`best_match`. A document jsonschema-rs accepts has no schema problems; tests/test_fast_validators.py
checks on the corpus (the rendered trees, the mutated documents of the validation corpus,
documents sampled from every schema of the store and their mutations) that both accept and
reject exactly the same documents.

The two are configured alike: the draft is the one jsonschema chose (`validator_for`, with our
defaults), `format` is an annotation (jsonschema checks no format without a format checker), and
nothing is fetched (`offline`): a schema whose `$ref`s jsonschema-rs cannot resolve, or whose
patterns it cannot compile, has no fast validator and every document goes to jsonschema.
`gitopsgen.core.fastpath.disabled()` sends every document to jsonschema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from gitopsgen.core import fastpath

COMPILE_AFTER = 2
"""jsonschema-rs compiles a schema for its second document: compiling costs about as much as
jsonschema checking a document or two, so a kind that appears once in a run is left to
jsonschema, and a fleet of environments pays one compilation per kind."""


class Validator:
    """A schema compiled for jsonschema (`reference`) and, from its second document on, for
    jsonschema-rs (`fast`)."""

    __slots__ = ("_compile", "_fast", "_uses", "reference")

    def __init__(self, reference: Any, compile_fast: Callable[[], Any | None] | None = None) -> None:
        self.reference = reference
        """The jsonschema validator: the errors, their paths and the best match."""
        self._compile = compile_fast
        self._fast: Any | None = None
        self._uses = 0

    @property
    def schema(self) -> Any:
        return self.reference.schema

    @property
    def fast(self) -> Any | None:
        """The same schema compiled by jsonschema-rs (now, if it was not yet); None when it cannot be."""
        if self._compile is not None:
            self._fast, self._compile = self._compile(), None
        return self._fast

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
        """jsonschema-rs's answer, None when there is none: the fast path is off, the schema has
        no fast validator (or not yet: `COMPILE_AFTER`), or the document holds a value it cannot
        read."""
        if not fastpath.enabled():
            return None
        if self._compile is not None:
            self._uses += 1
            if self._uses < COMPILE_AFTER:
                return None
        fast = self.fast
        if fast is None:
            return None
        try:
            return bool(fast.is_valid(instance))
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


def compile_validator(reference: Any, fast_registry: Callable[[], Any | None] | None = None) -> Validator:
    """`reference` (a jsonschema validator), to be compiled by jsonschema-rs too when it is used
    (with the registry `fast_registry()` gives, for `$ref`s into other documents)."""
    fast_class = _fast_class(reference)
    if fast_class is None:
        return Validator(reference)

    def compile_fast() -> Any | None:
        options: dict[str, Any] = {"validate_formats": False, "offline": True}
        if fast_registry is not None:
            found = fast_registry()
            if found is None:
                return None
            options["registry"] = found
        try:
            return fast_class(reference.schema, **options)
        except Exception:  # unresolvable $ref, a pattern Rust's regex rejects, an older jsonschema-rs
            return None

    return Validator(reference, compile_fast)
