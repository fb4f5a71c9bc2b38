"""The reusable GitHub Action (action.yml and the script of its checks step, action/checks.sh):
valid YAML, a composite action whose steps call only commands and flags the CLI has (asked of the
CLI itself), and whose commands work, run as the steps run them in a pull request's checkout.
tests/test_action_github.py runs the steps themselves as a runner does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from git_support import commit, edit, git, init_repo
from kit import REPO_ROOT, cli

INVOCATION = re.compile(r"^\s*gitopsgen ([a-z][a-z-]*)([^\n|>&;]*)", re.M)


def _action() -> dict[str, object]:
    data = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    assert isinstance(data, dict)
    return data


def _invocations() -> list[tuple[str, list[str]]]:
    """The gitopsgen commands of the action's steps and of the script its checks step runs."""
    runs = [step["run"] for step in _action()["runs"]["steps"] if "run" in step]  # type: ignore[index]
    runs.append((REPO_ROOT / "action" / "checks.sh").read_text())
    return [(m[1], shlex.split(m[2].replace('"$base"', "BASE"))) for run in runs for m in INVOCATION.finditer(run)]


def test_the_action_is_a_composite_action_with_a_shell_on_every_run_step() -> None:
    action = _action()
    assert action["name"] and action["description"]
    runs = action["runs"]
    assert isinstance(runs, dict) and runs["using"] == "composite"
    for step in runs["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step
    assert {"package", "base", "comment", "github-token", "working-directory"} <= set(action["inputs"])  # type: ignore[arg-type]


def test_every_command_and_flag_the_action_calls_exists() -> None:
    calls = _invocations()
    assert [c for c, _ in calls] == ["render", "validate", "diff"]
    commands = cli("--help").stdout
    for command, args in calls:
        assert re.search(rf"^\s+{command}\b", commands, re.M), command
        helptext = cli(command, "--help").stdout
        for arg in args:
            if arg.startswith("--"):
                assert re.search(rf"{re.escape(arg)}\b", helptext), (command, arg)
        if "--format" in args:
            value = args[args.index("--format") + 1]
            assert value in helptext, (command, value)


def test_the_commands_work_as_the_steps_run_them(tmp_path: Path) -> None:
    repo = tmp_path / "platform"
    init_repo(repo)
    assert cli("render", "--all", "--root", repo).returncode == 0
    commit(repo, "rendered")
    git(repo, "branch", "base")
    edit(repo / "environments" / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")
    assert cli("render", "--all", "--root", repo).returncode == 0
    for command, words in _invocations():
        result = cli(command, *("base" if w == "BASE" else w for w in words), cwd=repo)
        assert result.returncode == (1 if command == "diff" else 0), (command, result.stdout, result.stderr)
    markdown = cli("diff", "--all", "--base", "base", "--format", "markdown", cwd=repo).stdout
    assert markdown.startswith("<!-- gitopsgen-diff -->")  # the marker the comment step looks for
    assert 'MARKER = "<!-- gitopsgen-diff -->"' in (REPO_ROOT / "action" / "comment.py").read_text()
