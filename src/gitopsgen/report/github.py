"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

One line per finding: `::error file=F,line=L,col=C,title=gitopsgen RULE::MESSAGE`, with the hint
on a second line of the message. Values are escaped as the Actions toolkit does (`%`, CR and LF
everywhere; also `:` and `,` in properties), so a message can never end the command early.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from gitopsgen.core.problems import Problem, Severity

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(problem: Problem) -> str:
    props = [f"file={escape_property(problem.file)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
        if problem.column is not None:
            props.append(f"col={problem.column}")
    props.append(f"title={escape_property(f'gitopsgen {problem.rule}')}")
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    if problem.hint:
        message += f"\nhint: {problem.hint}"
    return f"::{LEVELS[problem.severity]} {','.join(props)}::{escape_data(message)}"


def write(problems: Sequence[Problem], out: TextIO, **_: object) -> None:
    for problem in sorted(problems):
        out.write(command(problem) + "\n")
