"""`gitopsgen render`: render, validate and write (or check) rendered/ENV/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gitopsgen.cli.common import (
    ChartSchemaLocationOption,
    DebugOption,
    JobsOption,
    NoCacheOption,
    RootOption,
    SchemaLocationOption,
    TimingsOption,
    _complete_envs,
    _jobs,
    _root,
    _run,
    _timings,
)


# long: the options; the body only builds them into the core's options and reports
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
    timings: TimingsOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Render, validate and write rendered/ENV/ for each environment (atomically)."""

    def body() -> int:
        _timings(timings)
        from gitopsgen.core.errors import UsageError
        from gitopsgen.report import text
        from gitopsgen.run import render as pipeline

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
            prune=prune, allow_empty=allow_empty, cache=not no_cache,
        )
        result = pipeline.render(options)
        text.render_result(result, sys.stdout, sys.stderr, verbose=verbose)
        if check:  # a file edited by hand: what it breaks as it is, besides that it is stale
            from gitopsgen.core.problems import Severity
            from gitopsgen.run.handedits import hand_edit_problems

            text.problems(hand_edit_problems(options.root, result, schema_locations=options.schema_locations,
                                             chart_schema_locations=options.chart_schema_locations),
                          sys.stdout, min_severity=Severity.INFO if verbose else Severity.WARNING)
        if stream and result.exit_code == 0:
            from gitopsgen.report.stream import write_stream

            write_stream([e.tree for e in result.envs], sys.stdout, objects_only=objects_only)
        return result.exit_code

    _run(debug, body)
