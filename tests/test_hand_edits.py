"""A file of rendered/ edited by hand is reported as what it breaks (validated as it is on disk),
besides being stale; a valid hand edit is only stale; a written render never judges files."""

from __future__ import annotations

from pathlib import Path

from gitopsgen.run import render as pipeline
from gitopsgen.run.handedits import edited_files, hand_edit_problems
from kit import copy_examples

SERVICE = Path("rendered/dev/manifests/example-api/service.yaml")


def _checked(root: Path) -> pipeline.RenderResult:
    return pipeline.render(pipeline.RenderOptions(root=root, all_envs=True, check=True))


def test_an_invalid_hand_edit_is_reported_as_what_it_breaks(tmp_path: Path) -> None:
    copy_examples(tmp_path, rendered=True)
    service = tmp_path / SERVICE
    service.write_text(service.read_text().replace("port: 8080", 'port: "eighty"'))
    result = _checked(tmp_path)
    assert result.exit_code == 1 and edited_files(tmp_path, result) == [service]
    [problem] = hand_edit_problems(tmp_path, result)
    assert (problem.file, problem.line, problem.rule) == (SERVICE.as_posix(), 16, "schema")
    assert problem.message.startswith("as edited by hand: 'eighty' is not of type 'integer'")


def test_a_valid_hand_edit_is_only_stale(tmp_path: Path) -> None:
    copy_examples(tmp_path, rendered=True)
    service = tmp_path / SERVICE
    service.write_text(service.read_text().replace("port: 8080", "port: 8081"))
    result = _checked(tmp_path)
    assert result.exit_code == 1 and edited_files(tmp_path, result) == [service]
    assert hand_edit_problems(tmp_path, result) == []


def test_nothing_to_judge_when_in_sync_or_written(tmp_path: Path) -> None:
    copy_examples(tmp_path, rendered=True)
    assert edited_files(tmp_path, _checked(tmp_path)) == []
    written = pipeline.render(pipeline.RenderOptions(root=tmp_path, all_envs=True))
    assert edited_files(tmp_path, written) == []
