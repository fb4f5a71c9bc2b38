"""Go RE2 patterns of CRDs that ECMA 262 and Python read differently, rewritten by the importer."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from gitopsgen.store.patterns import portable
from store_support import crd


@pytest.mark.parametrize("pattern, text, matches", [
    ("^(?i)(abort|warn)?$", "WARN", True), ("^(?i)(abort|warn)?$", "Abort", True),
    ("^(?i)(abort|warn)?$", "", True), ("^(?i)(abort|warn)?$", "stop", False),
    ("(?i)^[a-c]\\d$", "B7", True), ("(?i)^[^a-c]$", "B", False), ("(?i)^x{2}$", "Xx", True),
])
def test_a_case_insensitive_flag_becomes_classes_every_engine_reads(pattern: str, text: str, matches: bool) -> None:
    rewritten = portable(pattern)
    assert "(?i)" not in rewritten
    assert bool(re.search(rewritten, text)) is matches
    fast = jsonschema_rs.Draft7Validator({"type": "string", "pattern": rewritten}, validate_formats=False)
    assert fast.is_valid(text) is matches


def test_patterns_without_the_flag_are_untouched() -> None:
    for pattern in ("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "^(0|(([0-9]+)y)?)$", "\\(?i\\)"):
        assert portable(pattern) == pattern


def test_a_converted_crd_with_the_flag_compiles_in_both_engines() -> None:
    """A CRD whose pattern uses Go's `(?i)` (the Prometheus Operator's PrometheusRule has one:
    `partial_response_strategy`) converts to a schema jsonschema-rs and Python both compile."""
    import jsonschema

    from gitopsgen.store.convert import crd_schemas

    spec = {"type": "object", "properties": {"strategy": {"type": "string", "pattern": "^(?i)(abort|warn)?$"}}}
    [converted] = crd_schemas(crd(kind="Rule", spec_schema=spec))
    strategy = converted.schema["properties"]["spec"]["properties"]["strategy"]
    assert strategy["pattern"] == "^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$"
    fast = jsonschema_rs.Draft7Validator(converted.schema, validate_formats=False)
    document = {"apiVersion": "example.org/v1", "kind": "Rule", "metadata": {"name": "r"}, "spec": {"strategy": "Warn"}}
    assert fast.is_valid(document)
    jsonschema.Draft7Validator(converted.schema).validate(document)
    assert not fast.is_valid({**document, "spec": {"strategy": "stop"}})
