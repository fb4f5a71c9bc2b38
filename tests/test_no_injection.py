"""No spec value can change the structure of a rendered document (issue 10, item 5).

A Hypothesis property drives every string field of both specs (and the free-form maps, app.env
and postgres.parameters) with hostile strings: newlines, `: `, `#`, `{{ }}`, `{% %}`, `---`,
`...`, quotes, tabs, Unicode line separators, YAML 1.1 booleans and numbers, leading and trailing
spaces. Each value is either refused with a message located at the value's line (by the spec, or
by a template naming the spec line) or rendered, and then every document keeps exactly its
structure (the same paths, the same types) and each node that held the field's value holds the
new value byte for byte.

`GITOPSGEN_FUZZ_EXAMPLES` sets the number of examples (CI: 150; `make fuzz`: 3000).
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml as pyyaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gitopsgen.core.errors import SpecError, TemplateError
from gitopsgen.render.engine import Renderer
from gitopsgen.render.provenance import located_context
from gitopsgen.spec import load
from gitopsgen.spec.loader import load_spec_source
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedTree
from kit import REPO_ROOT

EXAMPLES = int(os.environ.get("GITOPSGEN_FUZZ_EXAMPLES", "60"))  # `make test-slow` runs 300, `make fuzz` 3000
ENVS = ("dev", "prd")
EXTRA_FIELDS = [("app", "env", "FUZZ_VAR"), ("postgres", "parameters", "work_mem")]
"""Entries of the free-form maps the real specs leave empty (their values are free text), added to
the baseline with the value `baseline`."""

PIECES = ["\n", "\r\n", "\r", ": ", ":", "#", " #", "{{ spec }}", "{% if true %}", "{#", "---", "...", "'", '"', "\t",
          "\u2028", "\u2029", "\x85", "\ufeff", "\x00", "yes", "No", "on", "OFF", "y", "true", "null", "~", " ",
          "- ", "? ", "&a", "*a", "!!python/object", "|", ">", "%YAML 1.1", "@", "`", "[", "]", "{", "}", ",",
          "\\", "0x1f", "010", "1e3", ".inf", "2024-01-01", "<<", "=", "\u00e9", "\U0001f600", "a"]

hostile = st.one_of(
    st.sampled_from(PIECES),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), min_size=1, max_size=6).map("".join),
    st.text(max_size=10),
)


@dataclass
class Baseline:
    data: dict[str, Any]
    tree: RenderedTree
    shape: dict[str, list[list[tuple[Any, ...]]]]
    written: dict[tuple[str | int, ...], list[tuple[str, int, tuple[str | int, ...], Any]]]
    """Spec path -> the rendered nodes (file, document, path, value) where its value was written
    (by provenance; a node holding the same value as another field on its line counts for both)."""
    free_text: list[tuple[str | int, ...]]
    """String fields that take any text (the others are refused unless they match a format)."""


def shape(tree: RenderedTree) -> dict[str, list[list[tuple[Any, ...]]]]:
    """Every node path of every document and the type of what is there."""
    def kinds(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        out = [(path, type(value).__name__)]
        if isinstance(value, dict):
            for k, v in value.items():
                out.extend(kinds(v, (*path, k)))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                out.extend(kinds(v, (*path, i)))
        return out

    return {p: [kinds(d.data) for d in f.documents] for p, f in sorted(tree.files.items())}


def _write(root: Path, env: str, data: dict[str, Any]) -> yamlio.Positions:
    positions: yamlio.Positions = {}
    (root / "environments" / f"{env}.yaml").write_text(yamlio.dump([data], positions), encoding="utf-8")
    return positions


class FuzzRepo:
    def __init__(self, root: Path, renderer: Renderer, baselines: dict[str, Baseline]) -> None:
        self.root = root
        self.renderer = renderer
        self.baselines = baselines

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"FuzzRepo({self.root})"


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory: pytest.TempPathFactory) -> FuzzRepo:
    """A repository whose specs are single files (defaults merged in), rendered once as the baseline."""
    root = tmp_path_factory.mktemp("fuzz") / "repo"
    shutil.copytree(REPO_ROOT / "templates", root / "templates")
    (root / "environments").mkdir()
    merged = {env: load_spec_source(REPO_ROOT, env).data for env in ENVS}
    for env in ENVS:
        for path in EXTRA_FIELDS:  # present in the baseline, so that fuzzing changes a value, not the shape
            _set(merged[env], path, "baseline")
        _write(root, env, merged[env])
    renderer = Renderer(root)
    baselines = {}
    for env in ENVS:
        loaded = load(root, env)
        tree = renderer.render(env, located_context(loaded))
        where = {f"{loc.file}:{loc.line}:{loc.column}": path for path, loc in loaded.source.value_locs.items()}
        written: dict[tuple[str | int, ...], list[tuple[str, int, tuple[str | int, ...], Any]]] = {}
        for name, file in tree.files.items():
            for doc in file.documents:
                for node, value in yamlio.iter_paths(doc.data):
                    origin = file.origin(doc.index, node)
                    for loc, spec_value in origin.spec if origin is not None else ():
                        if loc in where and str(spec_value) in str(value):
                            written.setdefault(where[loc], []).append((name, doc.index, node, value))
        baselines[env] = Baseline(merged[env], tree, shape(tree), written, free_text(merged[env]))
    return FuzzRepo(root, renderer, baselines)


def fields(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    return sorted({p for p, v in yamlio.iter_paths(data) if isinstance(v, str)}, key=str)


def free_text(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    from pydantic import ValidationError

    from gitopsgen.spec.models import Environment

    out = []
    for path in fields(data):
        changed = copy.deepcopy(data)
        _set(changed, path, "any text: # {{ x }}\n")
        try:
            Environment.model_validate(changed, by_alias=True, by_name=False)
            out.append(path)
        except ValidationError:
            continue
    return out


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: str) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[path[-1]] = value


def check_one(repo: FuzzRepo, env: str, path: tuple[str | int, ...], value: str) -> str:
    """Set one field, load and render; assert the property. Returns what happened."""
    base = repo.baselines[env]
    data = copy.deepcopy(base.data)
    _set(data, path, value)
    positions = _write(repo.root, env, data)
    here = f"environments/{env}.yaml:{positions[(0, path)]}:"
    # a rule about the field as a whole (scopes must include offline_access) is at the key holding it
    around = {f"environments/{env}.yaml:{positions[(0, path[:depth])]}:" for depth in range(1, len(path) + 1)}
    try:
        loaded = load(repo.root, env)
    except SpecError as exc:
        assert all(p.file and p.line for p in exc.problems), [p.format() for p in exc.problems]
        # at the field, or (a check across fields: the barman plugin's namespace is the operator's)
        # at the other field, naming the value
        assert any(f"{p.file}:{p.line}:" in around or f"({value})" in p.message for p in exc.problems), \
            [p.format() for p in exc.problems]
        return "refused by the spec"
    try:
        tree = repo.renderer.render(env, located_context(loaded))
    except TemplateError as exc:
        assert any(loc.startswith(here) for p in exc.problems for loc in p.spec_locations), \
            [p.format() for p in exc.problems]
        return "refused by a template, naming the spec line"
    assert shape(tree) == base.shape, f"{path} = {value!r} changed a document's structure"
    original = dict(yamlio.iter_paths(base.data)).get(path)
    found = False
    for file, doc, node, old in base.written.get(path, []):
        new = yamlio.dig(tree.files[file].documents[doc].data, *node)
        if new == old != value:
            continue  # written from another field with the same value (requests and limits of 512Mi)
        found = True
        if old == original:
            assert new == value or _moved(tree.files[file].documents, node, value), (file, node, new)
        else:
            assert isinstance(new, str) and value in new, (file, node, new)
        text = tree.files[file].text  # and a YAML 1.1 reader (PyYAML, as Kubernetes) reads the same data back
        assert list(pyyaml.safe_load_all(text)) == [d.data for d in tree.files[file].documents]
    assert found or not base.written.get(path), f"{path} = {value!r} is nowhere in the output"
    return "rendered byte for byte"


def _moved(documents: Sequence[Any], node: tuple[str | int, ...], value: str) -> bool:
    """`value` is at `node` of another document of the file, or with another index of the list
    holding it: what the templates sort (namespaces by name, an AppProject's destinations by
    namespace) puts a changed value elsewhere, which is no change of shape."""
    indexes = [i for i, part in enumerate(node) if isinstance(part, int)]
    for doc in documents:
        if yamlio.dig(doc.data, *node) == value:
            return True
        if indexes:
            at = indexes[-1]
            items = yamlio.dig(doc.data, *node[:at])
            if isinstance(items, list) and any(yamlio.dig(item, *node[at + 1:]) == value for item in items):
                return True
    return False


@settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_spec_value_changes_the_structure_of_a_rendered_document(fuzz_repo: FuzzRepo, data: st.DataObject) -> None:
    env = data.draw(st.sampled_from(ENVS), label="env")
    base = fuzz_repo.baselines[env]
    # half of the examples on free-text fields (the ones that render), half on any string field
    path = data.draw(st.sampled_from(base.free_text) | st.sampled_from(fields(base.data)), label="field")
    value = data.draw(hostile, label="value")
    event(check_one(fuzz_repo, env, path, value))


FREE_TEXT = [("prd", ("app", "auth0", "audience")), ("dev", ("app", "env", "FUZZ_VAR")),
             ("prd", ("postgres", "parameters", "work_mem"))]


@pytest.mark.parametrize("env, path", FREE_TEXT, ids=[".".join(map(str, p)) for _, p in FREE_TEXT])
@pytest.mark.parametrize("value", [
    "a\nb: c", "x: y", "# not a comment", "{{ spec.namespace }}", "{% raw %}", "---", "...", "'\"", "\ttab",
    "\u2028", "yes", "NULL", " padded ", "- item", "*alias", "&anchor", "|", ">-", "010", "1e3",
], ids=repr)
def test_every_hostile_piece_in_a_free_text_field_is_rendered_byte_for_byte(
        fuzz_repo: FuzzRepo, env: str, path: tuple[str, ...], value: str) -> None:
    assert check_one(fuzz_repo, env, path, value) == "rendered byte for byte"
    assert fuzz_repo.baselines[env].written.get(path)  # the value was found, and checked, in the output


def test_joining_template_text_and_a_value_escapes_nothing(project: Path) -> None:
    """With autoescape, `~` HTML-escaped a plain operand joined to a `{% set %}` block (`&` -> `&amp;`)."""
    from gitopsgen.run.render import render_trees

    (project / "templates" / "joined.yaml.j2").write_text(
        '{% set prefix %}<a>&{% endset %}value: {{ (prefix ~ spec.app.auth0.audience ~ "&\\"<>") | q }}\n')
    [item] = render_trees(project, ["dev"])
    assert item.tree.files["joined.yaml"].documents[0].data == {"value": '<a>&https://api.example.com&"<>'}


def test_a_namespace_that_sorts_first_moves_in_the_projects_destinations(fuzz_repo: FuzzRepo) -> None:
    """A Hypothesis find: the AppProject lists destinations sorted by namespace, so a chart namespace
    `a` is written first, not where `external-secrets` was; the same shape, the value in it."""
    assert check_one(fuzz_repo, "dev", ("charts", "externalSecrets", "namespace"), "a") == "rendered byte for byte"
