"""The pre-commit and CI command lines read without Typer's parser (`cli.direct`) behave as the
parsed commands: same output, same exit code; anything else still goes to Typer."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from gitopsgen.cli import direct
from gitopsgen.cli.app import app
from kit import cli


@pytest.mark.parametrize(("argv", "expected"), [
    (["validate", "prd"], ("validate", {"envs": ["prd"]})),
    (["validate", "--all", "-v", "--no-cache"], ("validate", {"all_envs": True, "verbose": True, "no_cache": True,
                                                             "envs": None})),
    (["render", "dev", "prd", "--check", "--timings"], ("render", {"envs": ["dev", "prd"], "check": True,
                                                                  "timings": True})),
    (["render", "--all", "--root=."], ("render", {"all_envs": True, "root": Path("."), "envs": None})),
])
def test_simple_command_lines_are_read_here(argv: list[str], expected: tuple[str, dict[str, object]]) -> None:
    assert direct.parse(argv) == expected


@pytest.mark.parametrize("argv", [
    [], ["diff", "--all"], ["validate", "--help"], ["validate", "--format", "json", "prd"], ["render", "--check",
    "-o", "out"], ["validate", "--path", "x.yaml"], ["render", "--root"], ["render", "--root", "/no/such/folder"],
    ["validate", "--check", "prd"], ["validate", "-", "prd"], ["--root", ".", "validate", "prd"],
])
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert direct.parse(argv) is None


def _typer(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app(list(args), standalone_mode=True)
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("args", [["validate", "prd", "nope"], ["render", "--all", "--check", "-v"],
                                  ["validate", "--all", "dev"], ["render", "dev", "--no-cache"]])
def test_a_command_read_here_says_and_exits_what_typer_would(project: Path, args: list[str]) -> None:
    cli("render", "--all", "--root", project)
    read_here = cli(*args, "--root", project)
    assert direct.parse([*args, "--root", str(project)]) is not None
    assert (read_here.returncode, read_here.stdout, read_here.stderr) == _typer(*args, "--root", str(project))
