"""No silent loss: an empty or gutted template set is refused (exit 2, naming the template
folder, nothing written) unless --allow-empty, and validate does not pass having checked nothing;
a file of rendered/ that gitopsgen did not write survives a render, named, unless --prune, which
removes it and names it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitopsgen.core.errors import UsageError
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.validate import ValidateOptions, validate
from kit import cli


@pytest.fixture
def rendered(project: Path) -> Path:
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    return project


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("content", [None, "README.md"], ids=["empty", "one-stray-file"])
def test_an_empty_template_set_is_refused_and_writes_nothing(rendered: Path, content: str | None) -> None:
    before = _files(rendered / "rendered")
    shutil.rmtree(rendered / "templates")
    (rendered / "templates").mkdir()
    if content:
        (rendered / "templates" / content).write_text("notes\n")
    done = cli("render", "--all", "--root", rendered)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "templates/: error: refused: rendered/dev: the templates render no file at all" in done.stderr
    assert "--allow-empty" in done.stderr
    assert _files(rendered / "rendered") == before
    found = validate(ValidateOptions(root=rendered, all_envs=True))
    assert found.exit_code == 1 and found.documents == 0
    assert any(p.file == "templates/" and "nothing was validated" in p.message for p in found.problems)


def test_a_template_set_dropping_most_of_an_environment_is_refused(rendered: Path) -> None:
    for folder in ("manifests", "config", "values"):  # 29 of 46 files of prd
        shutil.rmtree(rendered / "templates" / folder, ignore_errors=True)
    with pytest.raises(UsageError) as raised:
        render(RenderOptions(root=rendered, all_envs=True))
    messages = [p.message for p in raised.value.problems]
    assert any(m.startswith("refused: rendered/prd: the templates would remove ") for m in messages), messages
    assert {p.file for p in raised.value.problems} == {"templates/"}


def test_allow_empty_writes_it(rendered: Path) -> None:
    shutil.rmtree(rendered / "templates")
    (rendered / "templates").mkdir()
    result = render(RenderOptions(root=rendered, all_envs=True, allow_empty=True))
    assert result.exit_code == 0 and _files(rendered / "rendered" / "dev") == {}


def test_a_hand_made_file_survives_a_render_named_and_prune_removes_it(rendered: Path) -> None:
    mine = rendered / "rendered" / "prd" / "manifests" / "mine.yaml"
    mine.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n")
    done = cli("render", "--all", "--root", rendered)
    assert done.returncode == 0, done.stderr
    assert "rendered/prd/manifests/mine.yaml: kept, not written by gitopsgen" in done.stdout
    assert mine.is_file()
    check = cli("render", "--all", "--check", "--root", rendered)
    assert check.returncode == 0 and "mine.yaml: kept" in check.stdout
    pruned = cli("render", "--all", "--prune", "--root", rendered)
    assert pruned.returncode == 0
    assert "rendered/prd/manifests/mine.yaml: removed, not written by gitopsgen (--prune)" in pruned.stdout
    assert not mine.exists()


def test_gitopsgens_own_stale_output_is_still_removed(rendered: Path) -> None:
    """A file with gitopsgen's header that no template writes any more (a removed template)."""
    template = rendered / "templates" / "manifests" / "example-api" / "extra.yaml.j2"
    template.write_text("a: 1\n")
    assert render(RenderOptions(root=rendered, all_envs=True)).exit_code == 0
    output = rendered / "rendered" / "prd" / "manifests" / "example-api" / "extra.yaml"
    assert output.is_file()
    template.unlink()
    result = render(RenderOptions(root=rendered, all_envs=True))
    assert result.exit_code == 0 and not output.exists()
    assert [r.kept for r in result.envs] == [[], []]
