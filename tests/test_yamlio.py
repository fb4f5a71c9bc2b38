"""The canonical emitter: output every YAML 1.1 and 1.2 reader takes back unchanged.

Oracles are independent of our code: PyYAML's safe loader (YAML 1.1, the rules Kubernetes'
go-yaml follows: yes/on are booleans, 010 is octal, 1:20 is sexagesimal) and ruamel.yaml's
default YAML 1.2 loader.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml as pyyaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from gitopsgen.tree import yamlio
from kit import REPO_ROOT

AMBIGUOUS = [
    "yes", "no", "on", "off", "y", "n", "Y", "N", "YES", "On", "true", "False", "null", "Null", "~", "",
    "010", "0x1F", "0o17", "0b101", "1_000", "1:20", "190:20:30.15", "1e3", "1.0", "-1", "+1", ".5",
    ".inf", "-.Inf", ".nan", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=", "-", "?", ":",
]
STRUCTURAL = [
    "a: b", "a #b", "#x", "*alias", "&anchor", "!tag", "|", ">", "'q'", '"q"', "%x", "@x", "`x",
    "[a]", "{a: 1}", "a,b", "- x", "-x", "--flag=1", "x:", " lead", "trail ", "tab\there", "line\nbreak", "\u2028",
    "\x85", "\ufeff", "\x00", "é", "日本",
]


def _load_11(text: str) -> list[Any]:
    return list(pyyaml.safe_load_all(io.StringIO(text)))


def _load_12(text: str) -> list[Any]:
    return list(YAML(typ="safe", pure=True).load_all(text))


@pytest.mark.parametrize("value", AMBIGUOUS + STRUCTURAL)
def test_tricky_strings_stay_the_same_string_for_yaml_11_and_12(value: str) -> None:
    text = yamlio.dump([{"key": value, value or "empty": [value]}])
    for load in (_load_11, _load_12):
        assert load(text) == [{"key": value, value or "empty": [value]}], text


@pytest.mark.parametrize("value", ["yes", "on", "010", "1.0", "true", "null", "1:20"])
def test_ambiguous_scalars_are_double_quoted(value: str) -> None:
    assert yamlio.dump([{"v": value}]) == f'v: "{value}"\n'


@pytest.mark.parametrize("value", ["example-api", "10Gi", "500m", "ghcr.io/org/app:1.2.3", "http://x.y:80",
                                   "v7.0.15", "http_status:404", "--ingress-class=nginx"])
def test_plain_safe_strings_are_written_plain(value: str) -> None:
    assert yamlio.dump([{"v": value}]) == f"v: {value}\n"


def test_layout_is_block_style_with_indented_sequences_and_one_trailing_newline() -> None:
    text = yamlio.dump([{"a": {"b": [1, {"c": True, "d": None}], "e": {}, "f": []}}, ["x"]])
    assert text == (
        "a:\n"
        "  b:\n"
        "    - 1\n"
        "    - c: true\n"
        "      d: null\n"
        "  e: {}\n"
        "  f: []\n"
        "---\n"
        "- x\n"
    )


def test_multiline_strings_use_literal_blocks_with_exact_chomping() -> None:
    for value, header in (("a\nb\n", "|"), ("a\nb", "|-"), ("a\nb\n\n", "|+")):
        text = yamlio.dump([{"config.yaml": value}])
        assert text.startswith(f"config.yaml: {header}\n"), text
        assert _load_11(text) == [{"config.yaml": value}]
        assert _load_12(text) == [{"config.yaml": value}]


def test_multiline_string_with_leading_indent_falls_back_to_double_quotes() -> None:
    text = yamlio.dump([{"v": "  indented\nnext"}])
    assert text == 'v: "  indented\\nnext"\n'


def test_floats_keep_a_dot_so_yaml_11_reads_a_float() -> None:
    assert yamlio.dump([{"f": 1e20}]) == "f: 1.0e+20\n"
    assert _load_11(yamlio.dump([{"f": 1e20}])) == [{"f": 1e20}]


def test_positions_record_the_line_of_every_node_across_documents() -> None:
    positions: yamlio.Positions = {}
    yamlio.dump([{"a": 1, "b": {"c": [10, 20]}}, {"d": 2}], positions)
    assert positions[(0, ("a",))] == 1
    assert positions[(0, ("b", "c", 1))] == 5
    assert positions[(1, ("d",))] == 7  # after the `---` line


def test_loader_reads_yaml_11_like_kubernetes_and_keeps_timestamps_as_text() -> None:
    assert yamlio.load_all("a: yes\nb: 010\nc: 2001-12-14\n") == [{"a": True, "b": 8, "c": "2001-12-14"}]


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(json_values.filter(lambda d: d is not None), min_size=1, max_size=3))
def test_any_json_document_round_trips_through_yaml_11_and_12(docs: list[Any]) -> None:
    text = yamlio.dump(docs)
    assert text.endswith("\n")
    assert _load_11(text) == docs
    assert _load_12(text) == docs
    assert yamlio.dump(yamlio.load_all(text)) == text  # canonical form is a fixed point


# --- the fast loader (libyaml through PyYAML, ruamel's YAML 1.1 rules) -------------------------

def _ruamel_load_all(text: str) -> list[Any]:
    """What `load_all` returned before its fast path: ruamel's C safe loader, YAML 1.1."""
    return [doc for doc in yamlio._safe_loader().load_all(text) if doc is not None]


FAST_CASES = [
    "a: yes\nb: 010\nc: 2001-12-14\nd: 1:20\ne: 0x1F\nf: 0b101\ng: 1_000\nh: -.5\ni: .inf\nj: ~\nk:\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 1e3\nc: 1.0e+3\nd: +1\ne: 190:20:30.15\nf: NO\ng: Off\n",
    "'quoted': \"010\"\nplain: '1.0'\n? complex\n: value\n",
    "- a\n- [b, {c: d}]\n- !!str 123\n- !!int \"7\"\n- !!float '1'\n",
    "---\n---\na: 1\n--- ~\n---\n- null\n",
    "a: &x {b: [1, 2]}\nc: *x\n",
    "base: &b {x: 1}\nover:\n  <<: *b\n  y: 2\n",
    "a: 1\na: 2\n",
    "%YAML 1.2\n---\na: yes\n",
    "a: !custom x\n",
    "a: ! 123\n",
    "a: !!binary aGk=\n",
    "a: =\n",
    "{a: 1, 1: a, true: b, null: c, 1.5: d}\n",
    "a: |\n  line\n  next\nb: >-\n  folded\n  text\n",
    "a: [1, [2, [3]]]\n",
    "a: &r [*r]\n",
    "a: 1\n  b: 2\n",
    "a: [1, 2\n",
    "a: \"\\u2028\\x85\"\nb: 'it''s'\n",
]


# ruamel warns about YAML 1.1 floats without a dot (1e3): the case is there on purpose.
@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.MantissaNoDotYAML1_1Warning")
@pytest.mark.parametrize("text", FAST_CASES)
def test_fast_loader_gives_what_ruamels_loader_gives_or_the_same_error(text: str) -> None:
    try:
        expected: Any = _ruamel_load_all(text)
    except Exception as exc:  # the fast path hands every error to ruamel: same type, same words
        with pytest.raises(type(exc)) as caught:
            yamlio.load_all(text)
        assert str(caught.value) == str(exc)
        return
    assert repr(yamlio.load_all(text)) == repr(expected)  # types too: 1 is not 1.0, True is not 1


def test_fast_loader_takes_plain_rendered_output_itself(repo_root: Path) -> None:
    texts = [p.read_text() for p in sorted((repo_root / "rendered").rglob("*.yaml"))]
    assert texts
    for text in texts:
        fast = yamlio._fast_load_all(text)
        assert fast is not None and repr(fast) == repr(_ruamel_load_all(text))


def test_fast_loader_leaves_aliases_of_recursive_structures_to_ruamel() -> None:
    assert yamlio._fast_load_all("a: &r [*r]\n") is None
    assert yamlio._fast_load_all("a: &x [1]\nb: *x\n---\nc: &x [2]\nd: *x\n") == [
        {"a": [1], "b": [1]}, {"c": [2], "d": [2]}]


json_trees = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.sampled_from(AMBIGUOUS + STRUCTURAL), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12,
)


@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.MantissaNoDotYAML1_1Warning")  # generated 1e3-like text
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_trees, st.sampled_from(["block", "flow"]))
def test_fast_loader_agrees_with_ruamel_on_generated_yaml(tree: Any, style: str) -> None:
    if style == "block":
        text = pyyaml.safe_dump(tree, default_flow_style=False, allow_unicode=True)
    else:
        text = pyyaml.safe_dump(tree, default_flow_style=True, allow_unicode=True)
    try:
        expected = _ruamel_load_all(text)
    except Exception:
        return  # what ruamel refuses, the error test above covers
    assert repr(yamlio.load_all(text)) == repr(expected)


NODE_LINES_CASES = [
    "a: 1\nb:\n  - x\n  - {c: 2}\n",
    "# header\n---\nkind: A\nlist:\n- 1\n- 2\n---\n~\n---\nkind: B\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "s: |\n  line one\n  line two\nafter: 3\n",
]


@pytest.mark.parametrize("text", [
    *NODE_LINES_CASES,
    *(p.read_text() for env in ("dev", "prd") for p in sorted((REPO_ROOT / "rendered" / env).rglob("*.yaml"))),
], ids=lambda t: t.splitlines()[0][:40] if t else "empty")
def test_node_lines_from_libyaml_are_the_lines_ruamels_composer_gives(text: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    documents = yamlio.load_all(text)
    fast = yamlio.node_lines(text, documents)
    assert fast and all(isinstance(line, int) and line >= 1 for line in fast.values())
    monkeypatch.setattr(yamlio, "compose_fast", lambda _text: None)
    assert yamlio.node_lines(text, documents) == fast
