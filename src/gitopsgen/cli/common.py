"""What every command shares: the one error handler (`_run`: messages and exit codes), the
options several commands take, the repository root, and shell completion of environment names.

Exit codes: 0 success / in sync / clean; 1 drift, differences, invalid output or findings; 2 bad
input (spec, environment name, template, arguments); 3 a bug in gitopsgen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def _arguments_by_name_only() -> None:
    """Help shows an argument by its metavar (`ENV...`), never with its Python type beside it
    (`ENV... <list[str]>`), which Typer adds and no option of it turns off."""
    from typer import core

    shown = core.TyperArgument.display_type_rich

    def display_type(self: core.TyperArgument, ctx: Any) -> str | None:
        return None if self.metavar is not None else shown(self, ctx)

    core.TyperArgument.display_type_rich = display_type  # type: ignore[method-assign, assignment]


_arguments_by_name_only()

def _complete_envs(incomplete: str) -> list[str]:
    """Shell completion of environment names: those of the repository around the working directory."""
    from gitopsgen.core.errors import GitopsgenError
    from gitopsgen.run.workspace import find_root
    from gitopsgen.spec.loader import list_environments

    try:
        root = find_root(Path.cwd(), ())
    except GitopsgenError:
        return []
    return [env for env in list_environments(root) if env.startswith(incomplete)]


RootOption = Annotated[
    Path, typer.Option("--root", help="Repository root holding environments/, templates/, rendered/.",
                       file_okay=False, show_default="found from the current directory upwards"),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")]
SchemaLocationOption = Annotated[
    list[str] | None,
    typer.Option("--schema-location", metavar="DIR|TEMPLATE",
                 help="Where custom-resource schemas live ({group}/{kind}_{version}.json, as in "
                      "kubeconform's CRDs-catalog; or a path/URL template with {{.Group}}, {{.ResourceKind}}, "
                      "{{.ResourceAPIVersion}}). Repeatable; tried after the repository's schemas/ and before "
                      "the store packaged with gitopsgen; the first match wins. Overrides gitopsgen.toml."),
]

JobsOption = Annotated[
    str, typer.Option("--jobs", "-j", metavar="N|auto",
                      help="Environments processed in parallel processes. auto: one process below "
                           "4 environments, else one per CPU. Output is the same as with 1.")]


def _jobs(value: str) -> int | None:
    """`--jobs`: a positive number, or None for auto."""
    from gitopsgen.core.errors import UsageError

    if value == "auto":
        return None
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise UsageError(f"--jobs must be a positive number or auto, got {value!r}")


TimingsOption = Annotated[
    bool, typer.Option("--timings", help="Print to stderr the time of each phase per environment and the "
                                         "start-up (also GITOPSGEN_TIMINGS=1).")]


NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Render and validate every environment even when its inputs and "
                                          "rendered files are those of a previous run (also GITOPSGEN_NO_CACHE=1).")]


def _timings(flag: bool) -> None:
    """`--timings`: on for this process and its workers; the command's work starts now."""
    from gitopsgen.run import timings

    if flag:
        timings.enable()
    timings.mark()


ChartSchemaLocationOption = Annotated[
    list[str] | None,
    typer.Option("--chart-schema-location", metavar="DIR",
                 help="Folder of chart folders ({chart}/values.schema.json, values.yaml) to validate "
                      "Helm values files against. Repeatable; the first match wins."),
]


BUG_EXIT_CODE = 3
"""Exit code of an unexpected exception: not 1 (drift, findings) nor 2 (bad input)."""


def _run(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body: the one place errors become messages and exit codes.

    Bad input (`GitopsgenError`) and files the system refuses (`OSError`) print located messages
    and exit 2; anything else is a bug in gitopsgen: one line saying so, exit 3. `--debug` (or
    GITOPSGEN_DEBUG=1) adds the traceback.
    """
    from gitopsgen.core.errors import GitopsgenError, from_os_error
    from gitopsgen.run.interrupt import terminate_as_interrupt

    debug = debug or os.environ.get("GITOPSGEN_DEBUG", "") not in ("", "0")
    terminate_as_interrupt()
    try:
        code = body()
    except BrokenPipeError:  # before OSError, its base: the reader went away (`| head`), nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    except (GitopsgenError, OSError) as raised:
        exc = raised if isinstance(raised, GitopsgenError) else from_os_error(raised)
        if debug:
            import traceback

            traceback.print_exc()
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        print(f"gitopsgen: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("this is a bug in gitopsgen; run the command again with --debug for the traceback and "
              "report it", file=sys.stderr)
        raise typer.Exit(BUG_EXIT_CODE) from None
    raise typer.Exit(code)


_global_root: Path | None = None
"""`--root` given before the command (set by the app callback for this invocation)."""


def set_global_root(root: Path | None) -> None:
    global _global_root  # noqa: PLW0603 - one invocation per process; see _root
    _global_root = root


def global_root() -> Path | None:
    return _global_root


def _root(root: Path | None, envs: list[str] | None = None) -> Path:
    """The command's --root, else the one given before the command, else found from the cwd (or
    from a spec file named by path among `envs`)."""
    from gitopsgen.run.workspace import find_root

    root = root or _global_root
    return root.absolute() if root is not None else find_root(Path.cwd(), tuple(envs or ()))
