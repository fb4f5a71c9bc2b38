"""`gitopsgen diff`: what changes, object by object, between rendered/ and a render, or two git refs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gitopsgen.cli.common import (
    DebugOption,
    RootOption,
    _complete_envs,
    _root,
    _run,
)


def diff(
    envs: Annotated[list[str] | None, typer.Argument(
        metavar="ENV...", autocompletion=_complete_envs, help="Environments to compare.",
                                                     show_default=False)] = None,
    all_envs: Annotated[bool, typer.Option("--all", help="Every environment of either side.")] = False,
    base: Annotated[str | None, typer.Option(
        "--base", metavar="REF", help="Compare the render as of this git ref with the working tree "
                                      "(default: rendered/ on disk with a fresh render).")] = None,
    head: Annotated[str | None, typer.Option(
        "--head", metavar="REF", help="With --base: the render as of this ref instead of the working tree.")] = None,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="text|markdown|json",
        help="text for a terminal, markdown for a pull-request comment, json for tools.")] = "text",
    color: Annotated[str, typer.Option(
        "--color", metavar="auto|always|never", help="Colour the text format (auto: on a terminal).")] = "auto",
    fetch_charts: Annotated[bool, typer.Option(
        "--fetch-charts", help="Download the chart archives the chart-aware diff needs and the cache lacks "
                               "(both sides' versions; digest-checked). Without it, diff never uses the network.")
    ] = False,
    root: RootOption = None,  # type: ignore[assignment]
    debug: DebugOption = False,
) -> None:
    """Show what changes, object by object (exit 0: no differences, 1: differences, 2: bad input)."""

    def body() -> int:
        from gitopsgen.core.errors import UsageError
        from gitopsgen.diff import DiffOptions
        from gitopsgen.diff import diff as run_diff
        from gitopsgen.report.diff_formats import COLORS, FORMATS, reporter

        if output_format not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {output_format!r}")
        if color not in COLORS:
            raise UsageError(f"--color must be one of {', '.join(COLORS)}, got {color!r}")
        options = DiffOptions(root=_root(root), envs=tuple(envs or ()), all_envs=all_envs, base=base, head=head,
                              fetch_charts=fetch_charts)
        result = run_diff(options)
        reporter(output_format, sys.stdout, color).write(result, sys.stdout)
        return result.exit_code

    _run(debug, body)
