"""The spec loader's fast path (libyaml nodes) gives exactly what the round-trip loader gives:
the same plain data, key and value positions and quoted paths; what it does not take itself
(anchors, merge keys, duplicates, tags, errors) goes to the round-trip loader unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitopsgen.spec import loader
from gitopsgen.spec.loader import SpecSource


def _slow(text: str) -> tuple[Any, SpecSource]:
    source = SpecSource("x", {}, ["f.yaml"])
    raw = loader._read_yaml(text, "f.yaml")
    plain = {} if raw is None else loader._plain(raw, (), "f.yaml", source, loader._Budget())
    return plain, source


def _fast(text: str) -> tuple[Any, SpecSource]:
    source = SpecSource("x", {}, ["f.yaml"])
    return loader._fast_plain(text, "f.yaml", source), source


def _same(text: str) -> None:
    (fast, fsource), (slow, ssource) = _fast(text), _slow(text)
    assert fast is not loader._SLOW, "the fast path should take this text"
    assert repr(fast) == repr(slow)
    assert fsource.key_locs == ssource.key_locs
    assert fsource.value_locs == ssource.value_locs
    assert fsource.quoted == ssource.quoted


def test_example_specs_load_the_same_through_both_paths(repo_root: Path) -> None:
    for path in sorted((repo_root / "environments").glob("*.yaml")):
        _same(path.read_text())


TRICKY = [
    'version: "1.30"\nother: 1.30\nint: 017\noct: 0o17\nhex: 0x1F\nund: 1_000\n',
    "yes: yes\nno: on\nnull_: null\ntilde: ~\nquoted: ''\nbool: True\n",
    "date: 2024-01-01\nstamp: 2024-01-01T10:00:00Z\nexp: 1e3\ninf: .inf\nsexa: 1:20\n",
    "list:\n- a\n- 'b'\n- \"c\"\n- {d: 1, e: [2, 3]}\nnested:\n  deeper:\n    - x: 1\n      y: |\n        block\n",
    "folded: >\n  one\n  two\nkeep: |+\n  a\n\nstrip: |-\n  b\n",
    "flow: {cpu: 500m, memory: 1Gi}\nseq: [a, 'b', 1]\n# comment\nafter: 1  # trailing\n",
    "unicode: 日本\nemoji: \"\\u00e9\"\nspaces: '  lead'\n",
    "",
    "# only a comment\n",
    "- top\n- list\n",
    "scalar\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_specs_load_the_same_through_both_paths(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("text", [
    "a: &x {b: 1}\nc: *x\n",            # anchors: their limits point at the alias
    "base: {x: 1}\nover:\n  <<: {y: 2}\n",  # merge keys
    "a: 1\na: 2\n",                     # duplicate keys: the round-trip loader's message
    "a: !!binary aGk=\n",               # tags
    "a: [1, 2\n",                       # errors: the round-trip loader's words
    "1: a\n",                           # keys that are not strings
    "%YAML 1.1\n---\na: yes\n",         # another YAML version
    "a:\nb: 1\n",                       # an empty value (placed at the next token)
    "---\na: 1\n---\nb: 2\n",           # several documents
])
def test_what_the_fast_path_leaves_to_the_round_trip_loader(text: str) -> None:
    assert _fast(text)[0] is loader._SLOW


def test_a_file_read_twice_is_parsed_once_and_handed_out_as_copies() -> None:
    text = "a:\n  b: [1, 2]\n"
    first, layer1 = loader._layer("e", "once.yaml", text)[1], loader._layer("e", "once.yaml", text)[0]
    first["a"]["b"].append(3)
    layer1.key_locs.clear()
    layer2, second = loader._layer("e", "once.yaml", text)
    assert second == {"a": {"b": [1, 2]}}
    assert layer2.key_locs


def _generated(tree: Any, flow: bool) -> str:
    import yaml

    return yaml.safe_dump({"root": tree}, default_flow_style=flow, allow_unicode=True)


def test_generated_specs_load_the_same_through_both_paths() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    words = ["yes", "no", "on", "010", "0o10", "1.0", "1:20", "~", "null", "2024-01-01", "1e3", "-", "a b", "é"]
    trees = st.recursive(
        st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False), st.sampled_from(words),
                  st.text(min_size=1, max_size=8)),
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3)),
        max_leaves=12)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(trees, st.booleans())
    def check(tree: Any, flow: bool) -> None:
        text = _generated(tree, flow)
        fast, fsource = _fast(text)
        if fast is loader._SLOW:
            return
        slow, ssource = _slow(text)
        assert repr(fast) == repr(slow)
        assert (fsource.key_locs, fsource.value_locs, fsource.quoted) == (
            ssource.key_locs, ssource.value_locs, ssource.quoted)

    check()
