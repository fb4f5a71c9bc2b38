"""The commands pre-commit and CI run most (`validate ENV...|--all`, `render ENV...|--all
[--check]`, with only flags that take no value, and `--root DIR`) called without Typer's parser.

Typer coerces every parameter through a Pydantic adapter, which imports Pydantic: about as long
as the whole of a run the result cache serves (`run.resultcache`). These command lines are simple
enough to read here; the command function is then called with the same values Typer would pass
it, so messages and exit codes are those of the parsed command. Anything else (another option,
an option value, `--help`, an argument starting with `-`) goes to Typer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

FLAGS: dict[str, dict[str, str]] = {
    "validate": {"--all": "all_envs", "--no-cache": "no_cache", "--timings": "timings", "-v": "verbose",
                 "--verbose": "verbose"},
    "render": {"--all": "all_envs", "--check": "check", "--no-cache": "no_cache", "--timings": "timings",
               "-v": "verbose", "--verbose": "verbose"},
}
"""The flags read here, by command, and the parameter each sets to True."""


def parse(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, keyword arguments of its function) for a command line read here, else None."""
    if not argv or argv[0] not in FLAGS:
        return None
    command, flags = argv[0], FLAGS[argv[0]]
    values: dict[str, Any] = {}
    envs: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        if arg in flags:
            values[flags[arg]] = True
        elif arg == "--root" or arg.startswith("--root="):
            value = arg.partition("=")[2] if "=" in arg else next(rest, None)
            if not value or "root" in values or not Path(value).is_dir():
                return None  # Typer's messages for a missing or bad --root
            values["root"] = Path(value)
        elif arg.startswith("-") or not arg:
            return None
        else:
            envs.append(arg)
    values["envs"] = envs or None
    return command, values


def run(argv: list[str]) -> bool:
    """Run the command line if it is one read here (exits like Typer does); False otherwise."""
    parsed = parse(argv)
    if parsed is None:
        return False
    import typer

    command, values = parsed
    function: Callable[..., None]
    if command == "validate":
        from gitopsgen.cli.validate import validate as function
    else:
        from gitopsgen.cli.render import render as function
    try:
        function(**values)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    return True
