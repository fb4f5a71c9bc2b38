"""The `gitopsgen` command: the Typer app, its commands (one module each in this package) and the
console script's entry point (`main`).

Nothing here does work of its own. Heavy imports (Jinja, Pydantic, jsonschema) happen inside the
command bodies so that `gitopsgen --help` and shell completion stay cheap.

Exit codes (README, "Commands"): 0 success / in sync / clean; 1 drift, differences, invalid output or
findings; 2 bad input (spec, environment name, template, arguments).

`--root` is accepted before the command (`gitopsgen --root DIR render prd`, the app callback
keeps it) and after it (each command's own option, which wins); without it the root is found by
walking up from the working directory (`gitopsgen.run.workspace`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gitopsgen.cli import diff, init, render, schemas, spec_schema, validate
from gitopsgen.cli.common import RootOption, set_global_root

app = typer.Typer(
    name="gitopsgen",
    help="Render typed environment specs into the GitOps tree Argo CD deploys.",
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def _main(
    context: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.",
                                          is_eager=True)] = False,
    root: RootOption = None,  # type: ignore[assignment]
) -> None:
    if version:
        from gitopsgen import __version__

        print(f"gitopsgen {__version__}")
        raise typer.Exit(0)
    set_global_root(root)
    if context.invoked_subcommand is None:
        print(context.get_help())
        raise typer.Exit(0)


app.command("render")(render.render)
app.command("diff")(diff.diff)
app.command("validate")(validate.validate)
app.command("spec-schema")(spec_schema.spec_schema)
app.command("schema", hidden=True)(spec_schema.schema)
app.command("init")(init.init)
app.add_typer(schemas.app, name="schemas")


def main() -> None:
    import gc

    # A run allocates millions of short-lived objects (parsed YAML, Jinja contexts, problems):
    # collecting the youngest generation every 20,000 allocations instead of 700 saves about a
    # tenth of a large render, for no measurable memory (measured with bench/bench.py).
    gc.set_threshold(20_000, 50, 100)
    if sys.argv[1:] == ["--version"]:  # answered before Typer parses: its value coercion imports pydantic
        from gitopsgen import __version__

        print(f"gitopsgen {__version__}")
        return
    from gitopsgen.cli import direct

    if direct.run(sys.argv[1:]):  # the pre-commit and CI command lines, without Typer's parser
        return
    app()
