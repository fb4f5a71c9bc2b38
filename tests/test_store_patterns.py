"""Go RE2 patterns of CRDs that ECMA 262 and Python read differently, rewritten by the importer."""

from __future__ import annotations

import json
import re

import jsonschema_rs
import pytest

from gitopsgen.store.patterns import portable
from store_support import REPO_ROOT


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


def test_the_packaged_prometheus_rule_schema_compiles_in_both_engines() -> None:
    path = REPO_ROOT / "src" / "gitopsgen" / "store" / "default" / "monitoring.coreos.com" / "prometheusrule_v1.json"
    schema = json.loads(path.read_text())
    strategy = schema["properties"]["spec"]["properties"]["groups"]["items"]["properties"]["partial_response_strategy"]
    assert strategy["pattern"] == "^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$"
    jsonschema_rs.Draft7Validator(schema, validate_formats=False)
