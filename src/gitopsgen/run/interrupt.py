"""An interrupted render (Ctrl-C, SIGTERM) says what it did: which environments' new trees were
swapped in, which kept their previous render, and that no staging folder is left (the run
removes its own; a killed run's are removed by the next render and named by the next
`render --check` and `validate`).

A run swaps environments in one after another only once all are staged and valid, so an
interrupt before the swaps leaves rendered/ as it was, and one during them leaves some
environments new and the rest old: this is the one place the user learns which.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from gitopsgen.core.errors import GitopsgenError
from gitopsgen.core.problems import Problem, Severity

LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<stage>new|old|gone)-[A-Za-z0-9_]+")
"""The staging (`.new-`) and retired (`.old-`, `.gone-`) folders of a run (`write.Staged`)."""


class Interrupted(GitopsgenError):
    """The run was interrupted: exit 130, as a shell reports SIGINT."""

    exit_code = 130
    rule = "interrupted"


def interrupted(target: str, written: Sequence[str], not_written: Sequence[str], *, writes: bool) -> Interrupted:
    def named(envs: Sequence[str]) -> str:
        return ", ".join(f"{target}/{env}" for env in envs)

    if not writes:
        return Interrupted(Problem(target, rule="interrupted", message="interrupted: nothing was written"))
    problems = []
    if written:
        problems.append(Problem(target, rule="interrupted", message=f"interrupted: written (new render): "
                                f"{named(written)}"))
    problems.append(Problem(target, rule="interrupted", message=(
        f"interrupted: not written (previous render kept): {named(not_written)}" if not_written
        else "interrupted after every environment was written"),
        hint="no staging folder is left behind; run the same command again to finish"))
    return Interrupted(problems)


def leftovers(target: Path) -> list[str]:
    """The staging and retired folders in `target` (rendered/) that a killed run left."""
    if not target.is_dir():
        return []
    return sorted(entry.name for entry in target.iterdir() if LEFTOVER.fullmatch(entry.name))


def leftover_problems(target: Path, shown: str) -> list[Problem]:
    """A warning per leftover folder, saying how to remove it."""
    return [Problem(f"{shown}/{name}", rule="leftover", severity=Severity.WARNING,
                    message="left by an interrupted or killed gitopsgen run (not part of any environment)",
                    hint=f"`gitopsgen render --all` removes it (or: rm -r {shown}/{name}); do not commit it")
            for name in leftovers(target)]


def terminate_as_interrupt() -> None:
    """SIGTERM ends the run the way Ctrl-C does (cleaning up and saying what was written)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
