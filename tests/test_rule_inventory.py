"""Every discovered rule is documented, listed in the rules table of the docs (docs/reference/checks.md),
tested, and silent on the real trees.

Nothing lists the rules by hand: adding a rule module without its docstring, table row or test
file fails here, and so does a row for a rule that no longer exists.
"""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import registry, rules
from kit import REPO_ROOT, cross_findings, findings

RULES = rules.every_rule()
README_ROW = re.compile(r"^\| `(?P<id>[a-z0-9-]+)` \| (?P<text>.+) \|$")


def _readme_rows() -> dict[str, str]:
    text = (REPO_ROOT / "docs" / "reference" / "checks.md").read_text(encoding="utf-8")
    return {m["id"]: m["text"] for line in text.splitlines() if (m := README_ROW.match(line))}


def test_rules_are_discovered_with_unique_ids() -> None:
    ids = [m.ID for m in RULES]
    assert len(ids) >= 44
    # each module is a rule of one tree or a rule across environments, never both
    assert {m.ID for m in rules.all_rules()} ^ {m.ID for m in rules.cross_rules()} == set(ids)
    assert all(m.ID.startswith("cross-") == (m in rules.cross_rules()) for m in RULES)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


@pytest.mark.parametrize("module", RULES, ids=lambda m: m.ID)
def test_rule_documents_itself(module: ModuleType) -> None:
    doc = module.__doc__ or ""
    assert doc.startswith(f"{module.ID}: "), module.__name__
    assert len(doc.splitlines()) > 2, "the docstring is the rule's user documentation: say why it exists"


@pytest.mark.parametrize("module", RULES, ids=lambda m: m.ID)
def test_rule_has_a_readme_row_with_its_summary(module: ModuleType) -> None:
    summary = (module.__doc__ or "").splitlines()[0].partition(": ")[2]
    assert _readme_rows().get(module.ID) == summary


def test_readme_lists_no_rule_that_does_not_exist() -> None:
    assert set(_readme_rows()) == {m.ID for m in RULES} | set(registry.LAYERS)


def test_readme_describes_every_layer_id_as_the_registry_does() -> None:
    rows = _readme_rows()
    assert {i: rows.get(i) for i in registry.LAYERS} == registry.LAYERS


EMITTED = re.compile(
    r"""(?:\brule\s*[=:]\s*(?:str\s*=\s*)?"""  # rule="x", rule: str = "x"
    r"""|^\s*[A-Z_]*(?:RULE|RULE_ID|ID|AGREEMENT|SERVED|LIST_MAP|LIST_SET|EMBEDDED|METADATA)\s*=\s*)"""  # X = "x"
    r"""\"([a-z][a-z0-9-]*)\"|_located\(source, \w+, \"([a-z-]+)\"\)""", re.M)


def test_every_id_the_code_can_emit_is_registered_and_described() -> None:
    """Rule ids written anywhere in the package (`rule="..."`, `RULE = "..."`, a rule module's `ID`)
    are known to the registry, so SARIF and the README describe every finding a user can get."""
    emitted = set()
    for path in (REPO_ROOT / "src" / "gitopsgen").rglob("*.py"):
        emitted.update(a or b for a, b in EMITTED.findall(path.read_text(encoding="utf-8")))
    assert len(emitted) > 50  # the scan finds the ids at all
    described = registry.descriptions()
    assert sorted(emitted - set(described)) == []
    assert all(short and full for short, full in described.values())


@pytest.mark.parametrize("module", RULES, ids=lambda m: m.ID)
def test_rule_has_its_own_test_file(module: ModuleType) -> None:
    name = module.__name__.rpartition(".")[2]
    path = REPO_ROOT / "tests" / "rules" / f"test_{name}.py"
    assert path.is_file(), f"add {path.relative_to(REPO_ROOT)}"
    assert f"rules import {name}" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("env", ["dev", "prd"])
@pytest.mark.parametrize("module", rules.all_rules(), ids=lambda m: m.ID)
def test_rule_is_silent_on_the_real_tree(rendered: dict[str, RenderedTree], env: str, module: ModuleType) -> None:
    assert [p.format() for p in findings(module, rendered[env])] == []


@pytest.mark.parametrize("module", rules.cross_rules(), ids=lambda m: m.ID)
def test_cross_rule_is_silent_on_the_real_environments(rendered: dict[str, RenderedTree], module: ModuleType) -> None:
    assert [p.format() for p in cross_findings(module, [rendered["dev"], rendered["prd"]])] == []
