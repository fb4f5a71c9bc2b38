"""Compiled templates are kept across runs (`render.bytecode`): reused when nothing changed,
compiled again when a template, gitopsgen or Jinja changes, and a damaged entry is ignored."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from gitopsgen.core import cache
from gitopsgen.render import bytecode
from gitopsgen.render.engine import Renderer
from gitopsgen.run.render import render_trees
from kit import replace_in


def _entries() -> list[Path]:
    return sorted((cache.root() / bytecode.FOLDER).rglob("*.bc"))


def _render(project: Path) -> dict[str, bytes]:
    [item] = render_trees(project, ["prd"])
    return item.tree.bytes_by_path()


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled a template the cache holds")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)


def test_a_second_run_loads_every_template_from_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _render(project)
    entries = _entries()
    assert len(entries) == len(Renderer(project).names) + len(list((project / "templates").rglob("_*.j2")))
    _no_compiling(monkeypatch)
    assert _render(project) == first
    assert _entries() == entries


def test_an_edited_template_is_compiled_again_and_never_served_stale(project: Path) -> None:
    _render(project)
    before = set(_entries())
    template = project / "templates" / "manifests" / "example-api" / "service.yaml.j2"
    replace_in(template, "type: ClusterIP", "type: NodePort")
    tree = _render(project)
    assert b"type: NodePort" in tree["manifests/example-api/service.yaml"]
    assert len(set(_entries()) - before) == 1  # one new entry, for the edited template


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_damaged_entry_is_ignored_and_rewritten(project: Path, damage: str) -> None:
    expected = _render(project)
    for path in _entries():
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "flipped":
            path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
        else:
            path.write_bytes(b"")
    assert _render(project) == expected
    for path in _entries():  # compiled again and stored whole
        bucket_data = path.read_bytes()
        assert bucket_data.startswith(bytecode.MAGIC) and len(bucket_data) > len(bytecode.MAGIC) + 32


def test_another_gitopsgen_version_compiles_into_another_folder(project: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _render(project)
    folders = {p.parent for p in _entries()}
    import gitopsgen

    monkeypatch.setattr(gitopsgen, "__version__", "999.0")
    bytecode._code_fingerprint.cache_clear()
    try:
        _render(project)
        assert len({p.parent for p in _entries()} - folders) == 1
    finally:
        monkeypatch.undo()
        bytecode._code_fingerprint.cache_clear()


def test_a_cache_that_cannot_be_written_only_costs_the_compile(project: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go\n")
    monkeypatch.setenv("GITOPSGEN_CACHE_DIR", str(blocked))
    expected = _render(project)
    monkeypatch.setenv("GITOPSGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert _render(project) == expected


def test_the_same_templates_in_another_folder_share_the_cache_and_name_their_own_file(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from gitopsgen.core.errors import TemplateError

    broken = tmp_path / "broken"
    shutil.copytree(project, broken)
    template = broken / "templates" / "manifests" / "example-api" / "service.yaml.j2"
    replace_in(template, "type: ClusterIP", "type: {{ spec.app.nothing }}")
    with pytest.raises(TemplateError) as first:
        _render(broken)
    other = tmp_path / "other"
    shutil.copytree(broken, other)
    _no_compiling(monkeypatch)
    with pytest.raises(TemplateError) as second:
        _render(other)  # every template from the cache, compiled in `broken`
    assert [(p.file, p.line) for p in second.value.problems] == [(p.file, p.line) for p in first.value.problems]
    assert second.value.problems[0].line == 10
