"""`gitopsgen schemas import|sync`: the schema store's commands (registered in cli.py).

Thin like cli.py: options in, a result from `gitopsgen.store`, a reporter prints it. Exit codes:
0 done; 2 bad input or a failed download (a GitopsgenError, printed without a traceback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from gitopsgen.cli.common import DebugOption, RootOption, _root, _run

app = typer.Typer(
    name="schemas",
    help="Build the schema store (CRD and chart-values schemas) from CRDs, charts or URLs, or from the "
         "charts the environments pin.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

OutOption = Annotated[Path | None, typer.Option(
    "--out", help="Store folder to write.", file_okay=False, show_default="<root>/schemas")]


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    try:
        relative = os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


@app.command("import")
def import_(
    sources: Annotated[list[str], typer.Argument(
        metavar="SOURCE", show_default=False,
        help="CRD file, folder (recursive), Helm chart folder or .tgz, or http(s) URL (a .tgz URL is a chart).")],
    out: OutOption = None,
    origins: Annotated[Path | None, typer.Option(
        "--origins", dir_okay=False, show_default=False,
        help="TOML file naming the upstream URL (and Helm repository) of each local SOURCE by its name; "
             "the lock then records those instead of local paths.")] = None,
    root: RootOption = None,  # type: ignore[assignment]
    debug: DebugOption = False,
) -> None:
    """Convert CRDs to strict JSON Schemas (and take charts' values schemas) into a store with a lock file."""

    def body() -> int:
        from gitopsgen.report.schemas import store_result
        from gitopsgen.store.importing import ImportOptions, import_sources

        result = import_sources(ImportOptions(_root(root), tuple(sources), out.absolute() if out else None,
                                              origins))
        store_result(result, _shown(result.out), sys.stdout)
        return 0

    _run(debug, body)


@app.command("sync")
def sync(
    offline: Annotated[bool, typer.Option("--offline", help="Use only the download cache.")] = False,
    out: OutOption = None,
    root: RootOption = None,  # type: ignore[assignment]
    debug: DebugOption = False,
) -> None:
    """Import the CRDs and values schemas of every chart the environments pin (and [schemas] crd-urls)."""

    def body() -> int:
        from gitopsgen.report.schemas import store_result
        from gitopsgen.store.sync import SyncOptions
        from gitopsgen.store.sync import sync as run_sync

        result = run_sync(SyncOptions(_root(root), offline, out.absolute() if out else None))
        for warning in result.warnings:
            print(warning.format(), file=sys.stderr)
        store_result(result, _shown(result.out), sys.stdout)
        return 0

    _run(debug, body)
