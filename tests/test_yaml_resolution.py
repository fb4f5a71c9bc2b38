"""Plain scalars read as kubectl and Argo CD read them: sigs.k8s.io/yaml's go-yaml v2
(`goyaml.v2/resolve.go`, `resolve()`), checked through the loader every command uses (its fast
path, and ruamel's loader for texts the fast path leaves to it)."""

from __future__ import annotations

import math

import pytest

from gitopsgen.tree import yamlio

# plain scalar -> the value go-yaml v2 decodes it to (into interface{}, as sigs.k8s.io/yaml does)
GO_YAML_V2 = {
    **{w: True for w in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE")},
    **{w: False for w in ("n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE")},
    **{w: None for w in ("~", "null", "Null", "NULL")},
    # other case forms are strings
    "yES": "yES", "nO": "nO", "oN": "oN", "tRUE": "tRUE", "nULL": "nULL",
    # integers: Go's strconv.ParseInt(s, 0, 64) after removing underscores
    "0": 0, "42": 42, "+42": 42, "-42": -42, "1_000": 1000, "0x1F": 31, "0X1F": 31, "0o17": 15, "017": 15,
    "0b101": 5, "-0b11": -3, "0777": 511, "9223372036854775808": 9223372036854775808,
    # floats: yamlStyleFloat
    "1.5": 1.5, "1.": 1.0, ".5": 0.5, "-.5": -0.5, "+.5": 0.5, "1e3": 1000.0, "1E3": 1000.0, "1.0e+3": 1000.0,
    "08": 8.0, "09": 9.0, "1_0.5": 10.5,
    ".inf": math.inf, "-.Inf": -math.inf, "+.INF": math.inf,
    # strings: no sexagesimal numbers, no YAML 1.1 `=` value, timestamps kept as text, overflowing floats
    "1:30": "1:30", "12:30:45": "12:30:45", "=": "=", "2024-01-02": "2024-01-02",
    "2024-01-02T10:00:00Z": "2024-01-02T10:00:00Z", "1e400": "1e400", "0x": "0x", "3e": "3e", "0b2": "0b2",
    "Inf": "Inf", "nan": "nan", "yes!": "yes!", "500m": "500m", "1Gi": "1Gi", "v1.30": "v1.30",
}


@pytest.mark.parametrize("text", sorted(GO_YAML_V2))
def test_plain_scalars_resolve_as_go_yaml_v2(text: str) -> None:
    expected = GO_YAML_V2[text]
    fast = yamlio.load_all(f"k: {text}\n")[0]["k"]
    slow = yamlio.load_all(f"k: {text}\nq: !!str tagged\n")[0]["k"]  # an explicit tag: ruamel's own loader
    for value in (fast, slow):
        assert type(value) is type(expected) and value == expected


def test_nan() -> None:
    assert math.isnan(yamlio.load_all("k: .nan\n")[0]["k"])


@pytest.mark.parametrize("text", ['"n"', "'yes'", '"1:30"', '"08"'])
def test_quoted_scalars_are_strings(text: str) -> None:
    assert yamlio.load_all(f"k: {text}\n")[0]["k"] == text.strip("'\"")


@pytest.mark.parametrize("text", sorted(k for k in GO_YAML_V2 if k))
def test_what_we_write_reads_back_as_written(text: str) -> None:
    """The emitter quotes every string go-yaml v2 would read as something else."""
    from gitopsgen.tree import goyaml

    written = yamlio.dump([{"k": text}])
    assert yamlio.load_all(written)[0]["k"] == text
    if goyaml.tag(text) != goyaml.STR:
        assert yamlio.needs_quotes(text), text
