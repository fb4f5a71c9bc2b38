"""Command-line interface: parse arguments, build options, call the pipeline, map to exit codes.

Nothing here does work of its own. Heavy imports (Jinja, Pydantic, jsonschema) happen inside the
command bodies so that `gitopsgen --help` and shell completion stay cheap.

Exit codes (DESIGN.md): 0 success / in sync / clean; 1 drift, differences, invalid output or
findings; 2 bad input (spec, environment name, template, arguments).

`--root` is accepted before the command (`gitopsgen --root DIR render prd`, the app callback
keeps it) and after it (each command's own option, which wins); without it the root is found by
walking up from the working directory (`gitopsgen.workspace`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

app = typer.Typer(
    name="gitopsgen",
    help="Render typed environment specs into the GitOps tree Argo CD deploys.",
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _arguments_by_name_only() -> None:
    """Help shows an argument by its metavar (`ENV...`), never with its Python type beside it
    (`ENV... <list[str]>`), which Typer adds and no option of it turns off."""
    from typer import core

    shown = core.TyperArgument.display_type_rich

    def display_type(self: core.TyperArgument, ctx: Any) -> str | None:
        return None if self.metavar is not None else shown(self, ctx)

    core.TyperArgument.display_type_rich = display_type  # type: ignore[method-assign, assignment]


_arguments_by_name_only()

T = TypeVar("T")

def _complete_envs(incomplete: str) -> list[str]:
    """Shell completion of environment names: those of the repository around the working directory."""
    from gitopsgen.errors import GitopsgenError
    from gitopsgen.spec.loader import list_environments
    from gitopsgen.workspace import find_root

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
    from gitopsgen.errors import UsageError

    if value == "auto":
        return None
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise UsageError(f"--jobs must be a positive number or auto, got {value!r}")


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
    from gitopsgen.errors import GitopsgenError, from_os_error
    from gitopsgen.render.interrupt import terminate_as_interrupt

    debug = debug or os.environ.get("GITOPSGEN_DEBUG", "") not in ("", "0")
    terminate_as_interrupt()
    try:
        code = body()
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
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
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


def _root(root: Path | None, envs: list[str] | None = None) -> Path:
    """The command's --root, else the one given before the command, else found from the cwd (or
    from a spec file named by path among `envs`)."""
    from gitopsgen.workspace import find_root

    root = root or _global_root
    return root.absolute() if root is not None else find_root(Path.cwd(), tuple(envs or ()))


@app.command()
def render(
    envs: Annotated[list[str] | None, typer.Argument(
        metavar="ENV...", autocompletion=_complete_envs, help="Environments to render.",
                                                     show_default=False)] = None,
    all_envs: Annotated[bool, typer.Option("--all", help="Render every environments/<env>.yaml.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if rendered/ is stale.")] = False,
    root: RootOption = None,  # type: ignore[assignment]
    schema_location: SchemaLocationOption = None,
    kubernetes_version: Annotated[str | None, typer.Option(
        "--kubernetes-version", metavar="1.N",
        help="Validate against this Kubernetes version instead of the spec's.")] = None,
    strict: Annotated[bool | None, typer.Option(
        "--strict/--no-strict", help="A custom resource without a schema is an error.",
        show_default="from gitopsgen.toml, else no")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print informational notes.")] = False,
    debug: DebugOption = False,
    chart_schema_location: ChartSchemaLocationOption = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="DIR|-",
        help="Write DIR/ENV/ instead of rendered/ENV/; '-' streams every document to stdout as one YAML "
             "stream with '# Source:' comments.")] = None,
    objects_only: Annotated[bool, typer.Option(
        "--objects-only", help="With --output -: only Kubernetes objects, no Helm values or config files "
                               "(for kubectl diff -f -).")] = False,
    jobs: JobsOption = "auto",
    prune: Annotated[bool, typer.Option(
        "--prune", help="Also remove files of rendered/ENV/ that gitopsgen did not write (kept and named "
                        "otherwise).")] = False,
    allow_empty: Annotated[bool, typer.Option(
        "--allow-empty", help="Write a template set that renders nothing, or drops most of an environment's "
                              "files (refused otherwise).")] = False,
) -> None:
    """Render, validate and write rendered/ENV/ for each environment (atomically)."""

    def body() -> int:
        from gitopsgen import pipeline
        from gitopsgen.errors import UsageError
        from gitopsgen.report import text

        stream = output == "-"
        if objects_only and not stream:
            raise UsageError("--objects-only applies to --output - only")
        options = pipeline.RenderOptions(
            root=_root(root, envs), envs=tuple(envs or ()), all_envs=all_envs, check=check,
            schema_locations=tuple(schema_location or ()), kubernetes_version=kubernetes_version,
            strict=strict, chart_schema_locations=tuple(chart_schema_location or ()),
            output=Path(output) if output and not stream else None, stream=stream,
            on_wait=lambda message: print(message, file=sys.stderr, flush=True),
            jobs=_jobs(jobs), keep_trees=stream,  # streamed: one environment's tree in memory at a time
            prune=prune, allow_empty=allow_empty,
        )
        result = pipeline.render(options)
        text.render_result(result, sys.stdout, sys.stderr, verbose=verbose)
        if check:  # a file edited by hand: what it breaks as it is, besides that it is stale
            from gitopsgen.problems import Severity
            from gitopsgen.validate.handedits import hand_edit_problems

            text.problems(hand_edit_problems(options.root, result, schema_locations=options.schema_locations,
                                             chart_schema_locations=options.chart_schema_locations),
                          sys.stdout, min_severity=Severity.INFO if verbose else Severity.WARNING)
        if stream and result.exit_code == 0:
            from gitopsgen.report.stream import write_stream

            write_stream([e.tree for e in result.envs], sys.stdout, objects_only=objects_only)
        return result.exit_code

    _run(debug, body)


@app.command()
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
        from gitopsgen.diff import DiffOptions
        from gitopsgen.diff import diff as run_diff
        from gitopsgen.errors import UsageError
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


@app.command()
def validate(
    envs: Annotated[list[str] | None, typer.Argument(
        metavar="ENV...", autocompletion=_complete_envs, help="Environments to validate.",
                                                     show_default=False)] = None,
    all_envs: Annotated[bool, typer.Option("--all", help="Validate every environments/<env>.yaml.")] = False,
    paths: Annotated[list[Path] | None, typer.Option(
        "--path", metavar="FILE|DIR", help="Validate manifests on disk instead (hand-written ones too; folders are "
                                           "searched for *.yaml and *.yml). Repeatable.")] = None,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="text|json|github|sarif",
        help="text for people, json for tools, github for Actions annotations, sarif for code scanning.")] = "text",
    root: RootOption = None,  # type: ignore[assignment]
    schema_location: SchemaLocationOption = None,
    chart_schema_location: ChartSchemaLocationOption = None,
    kubernetes_version: Annotated[str | None, typer.Option(
        "--kubernetes-version", metavar="1.N",
        help="Validate core kinds against this Kubernetes version instead of the spec's.")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="A custom resource without a schema is an error.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show notes (what was not checked).")] = False,
    debug: DebugOption = False,
    jobs: JobsOption = "auto",
) -> None:
    """Check specs, a fresh in-memory render and every validation layer, or files on disk; write nothing.

    Exit codes: 0 clean (warnings allowed), 1 findings, 2 bad input.
    """

    def body() -> int:
        from gitopsgen import validation
        from gitopsgen.errors import UsageError
        from gitopsgen.problems import Severity
        from gitopsgen.report import FORMATS

        if output_format not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {output_format!r}")
        options = validation.ValidateOptions(
            # files on disk need no repository; environments are found from the root
            root=(root or _global_root) if paths else _root(root, envs),
            envs=tuple(envs or ()), all_envs=all_envs, paths=tuple(paths or ()),
            schema_locations=tuple(schema_location or ()), kubernetes_version=kubernetes_version,
            strict=strict, chart_schema_locations=tuple(chart_schema_location or ()), jobs=_jobs(jobs),
        )
        result = validation.validate(options)
        minimum = Severity.INFO if verbose else Severity.WARNING
        shown = [p for p in result.problems if p.severity >= minimum or output_format in ("json", "sarif")]
        if output_format == "text":
            from gitopsgen.report import text

            text.validate_result(result.problems, sys.stdout, targets=result.targets, documents=result.documents,
                                 min_severity=minimum)
        else:
            import importlib

            reporter = importlib.import_module(f"gitopsgen.report.{output_format}")
            reporter.write(shown, sys.stdout, targets=result.targets, documents=result.documents,
                           root=options.root)
        return result.exit_code

    _run(debug, body)


@app.command()
def schema(
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

        from gitopsgen.errors import UsageError
        from gitopsgen.spec import json_schema
        from gitopsgen.write import atomic_write

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


@app.command()
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
        from gitopsgen import scaffold

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
    global _global_root  # noqa: PLW0603 - one invocation per process; see _root
    _global_root = root
    if context.invoked_subcommand is None:
        print(context.get_help())
        raise typer.Exit(0)


from gitopsgen.cli_schemas import app as _schemas_app  # noqa: E402 (it imports this module's helpers)

app.add_typer(_schemas_app, name="schemas")


def main() -> None:
    import gc

    # A run allocates millions of short-lived objects (parsed YAML, Jinja contexts, problems):
    # collecting the youngest generation every 20,000 allocations instead of 700 saves about a
    # tenth of a large render, for no measurable memory (bench/bench.py, issue 12).
    gc.set_threshold(20_000, 50, 100)
    if sys.argv[1:] == ["--version"]:  # answered before Typer parses: its value coercion imports pydantic
        from gitopsgen import __version__

        print(f"gitopsgen {__version__}")
        return
    app()
