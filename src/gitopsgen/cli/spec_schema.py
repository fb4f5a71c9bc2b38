"""`gitopsgen spec-schema`: the JSON Schema of an environment spec, or its reference in Markdown."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gitopsgen.cli.common import (
    DebugOption,
    RootOption,
    _run,
)


def spec_schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.",
                                                dir_okay=False)] = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Require nothing: a schema for one file of the defaults + environment pair "
                          "(what an editor needs).")] = False,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="json|markdown", help="json: the JSON Schema; markdown: the spec reference.")] = "json",
    debug: DebugOption = False,
    root: RootOption = None,  # type: ignore[assignment]  # accepted like everywhere; the schema needs none
) -> None:
    """Print the JSON Schema of an environment spec (merged with defaults), or its reference in Markdown."""

    def body() -> int:
        import json

        from gitopsgen.core.atomic import atomic_write
        from gitopsgen.core.errors import UsageError
        from gitopsgen.spec import json_schema

        if output_format == "markdown":
            from gitopsgen.spec.reference import markdown

            text = markdown(json_schema(partial=False))
        elif output_format == "json":
            text = json.dumps(json_schema(partial=partial), indent=2, sort_keys=True) + "\n"
        else:
            raise UsageError(f"--format must be json or markdown, got {output_format!r}")
        if output is None:
            sys.stdout.write(text)
        else:
            atomic_write(output, text.encode())
        return 0

    _run(debug, body)


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False)] = None,
    partial: Annotated[bool, typer.Option("--partial")] = False,
    output_format: Annotated[str, typer.Option("--format")] = "json",
    debug: DebugOption = False,
    root: RootOption = None,  # type: ignore[assignment]
) -> None:
    """The old name of `spec-schema` (kept for one release, so it is not confused with `schemas`)."""
    print("gitopsgen: note: `gitopsgen schema` is now `gitopsgen spec-schema`", file=sys.stderr)
    spec_schema(output, partial, output_format, debug, root)
