"""The CLI's one error handler: bad input and files the system refuses give a located message and
exit 2 without a traceback, leaving rendered/ as it was; anything else is reported as a bug (exit 3)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import typer

from gitopsgen.cli import common as cli_module
from kit import GITOPSGEN, cli, replace_in


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rendered_as_a_plain_file_is_a_located_error(project: Path) -> None:
    (project / "rendered").write_text("not a folder\n")
    result = cli("render", "prd", "--root", project)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{project / 'rendered'}: error: cannot read or write it: File exists [io]")
    assert "hint: a file stands where gitopsgen needs a folder" in result.stderr
    assert (project / "rendered").read_text() == "not a folder\n"


def test_an_unwritable_rendered_folder_is_a_located_error_and_changes_nothing(project: Path) -> None:
    """Root ignores permission bits, so as root `rendered/` is made read-only with a bind mount in a
    private mount namespace (unshare); otherwise with chmod."""
    assert cli("render", "prd", "--root", project).returncode == 0
    replace_in(project / "environments" / "prd.yaml", "replicas: 2", "replicas: 3")
    rendered = project / "rendered"
    before = _tree(rendered)
    if os.geteuid() == 0:
        script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
        result = subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", str(rendered), str(GITOPSGEN),
                                 "render", "prd", "--root", str(project)],
                                capture_output=True, text=True, timeout=120, check=False)
    else:
        rendered.chmod(0o555)
        result = cli("render", "prd", "--root", project)
        rendered.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{rendered}" in result.stderr and "error: cannot read or write it: " in result.stderr, result.stderr
    assert "[io]" in result.stderr and "hint:" in result.stderr
    assert _tree(rendered) == before


def test_an_unexpected_exception_is_called_a_bug_with_exit_code_3(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise RuntimeError("boom")

    with pytest.raises(typer.Exit) as exit_info:
        cli_module._run(False, broken)
    assert exit_info.value.exit_code == cli_module.BUG_EXIT_CODE == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "this is a bug in gitopsgen" in err
    assert "--debug" in err and "Traceback" not in err


def test_debug_shows_the_traceback_of_a_bug(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise KeyError("x")

    with pytest.raises(typer.Exit):
        cli_module._run(True, broken)
    assert "Traceback" in capsys.readouterr().err


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    """`render --output - | head`: the reader is gone when gitopsgen writes; it says nothing about
    it, prints no traceback and does not call it bad input (the console script, a real pipe whose
    reading end is closed, so the first write fails as it does once `head` exits)."""
    from kit import copy_examples

    copy_examples(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    process = subprocess.Popen([str(GITOPSGEN), "render", "prd", "--output", "-", "--root", str(tmp_path)],
                               stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    assert process.stderr is not None
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1  # the output was cut: not bad input (2), not a bug (3)
    assert err == ""
