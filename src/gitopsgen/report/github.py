"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

One line per finding: `::error file=F,line=L,col=C,title=gitopsgen RULE::MESSAGE`, with the hint
on a second line of the message. Values are escaped as the Actions toolkit does (`%`, CR and LF
everywhere; also `:` and `,` in properties), so a message can never end the command early.
GitHub places an annotation by its path from the repository root: when the gitopsgen root is a
folder of the repository (the action's `working-directory`), files are named from the repository
root (`GITHUB_WORKSPACE` on a runner, else the folder holding `.git`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from gitopsgen.core.problems import Problem, Severity

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_prefix(root: Path | None) -> str:
    """The gitopsgen root's path from the repository root, with a trailing slash ("" at the top);
    no root means the working directory, as for the commands."""
    here = (root or Path.cwd()).resolve()
    workspace = os.environ.get("GITHUB_WORKSPACE")
    top = Path(workspace).resolve() if workspace else next(
        (p for p in (here, *here.parents) if (p / ".git").exists()), here)
    try:
        relative = here.relative_to(top).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else f"{relative}/"


def command(problem: Problem, prefix: str = "") -> str:
    props = [f"file={escape_property(prefix + problem.file)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
        if problem.column is not None:
            props.append(f"col={problem.column}")
    props.append(f"title={escape_property(f'gitopsgen {problem.rule}')}")
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    if problem.hint:
        message += f"\nhint: {problem.hint}"
    return f"::{LEVELS[problem.severity]} {','.join(props)}::{escape_data(message)}"


def write(problems: Sequence[Problem], out: TextIO, *, root: Path | None = None, **_: object) -> None:
    prefix = repository_prefix(root)
    for problem in sorted(problems):
        out.write(command(problem, prefix) + "\n")
