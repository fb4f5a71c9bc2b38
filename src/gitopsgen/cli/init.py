"""`gitopsgen init DIR`: a GitOps repository that renders and validates at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gitopsgen.cli.common import (
    DebugOption,
    _run,
)


def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Where to create the repository (created if "
                                                                        "missing).",
                                              show_default=False)],
    with_templates: Annotated[bool, typer.Option(
        "--with-templates", help="Copy the default templates into DIR/templates/ to change them (otherwise the "
                                 "templates packaged with gitopsgen are used).")] = False,
    templates_only: Annotated[bool, typer.Option(
        "--templates-only", help="Only copy the default templates into DIR/templates/: for a repository that "
                                 "uses the packaged ones and needs to change them.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    debug: DebugOption = False,
) -> None:
    """Create a GitOps repository that renders and validates at once: example environments, settings,
    pre-commit hooks, a CI workflow.

    Exit codes: 0 created; 2 a file exists (nothing is written then) or bad input.
    """

    def body() -> int:
        from gitopsgen.run import scaffold

        result = scaffold.init(directory.absolute(), with_templates=with_templates, force=force,
                               templates_only=templates_only)
        if templates_only:  # a hundred template files: one line
            print(f"{directory / 'templates'}: {len(result.written)} files written: the packaged templates, now "
                  "this repository's (rendered files name templates/ in their header from the next render)")
            print("next: edit templates/, then gitopsgen render --all")
            return 0
        for name in result.written:
            print(f"{directory / name}: written")
        for note in result.notes:
            print(f"note: {note}")
        print(f"next: cd {directory} && gitopsgen render --all && gitopsgen validate --all")
        return 0

    _run(debug, body)
