"""`gitopsgen validate`: specs, a fresh in-memory render and every validation layer, or files on disk."""

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
    global_root,
)


# long: the options; the body only builds them into the core's options and reports
def validate(
    envs: Annotated[list[str] | None, typer.Argument(
        metavar="ENV...", autocompletion=_complete_envs, help="Environments to validate.",
                                                     show_default=False)] = None,
    all_envs: Annotated[bool, typer.Option("--all", help="Validate every environments/<env>.yaml.")] = False,
    paths: Annotated[list[Path] | None, typer.Option(
        "--path", metavar="FILE|DIR", help="Validate manifests on disk instead (hand-written ones too; folders are "
                                           "searched for *.yaml, *.yml and *.json; - reads standard input). "
                                           "Repeatable; more files may follow as arguments.")] = None,
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
    timings: TimingsOption = False,
    no_cache: NoCacheOption = False,
) -> None:
    """Check specs, a fresh in-memory render and every validation layer, or files on disk; write nothing.

    Exit codes: 0 clean (warnings allowed), 1 findings, 2 bad input.
    """

    def body() -> int:
        _timings(timings)
        from gitopsgen.core.errors import UsageError
        from gitopsgen.core.problems import Severity
        from gitopsgen.report import FORMATS
        from gitopsgen.run import validate as validation

        if output_format not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {output_format!r}")
        options = validation.ValidateOptions(
            # files on disk need no repository; environments are found from the root
            root=(root or global_root()) if paths else _root(root, envs),
            envs=tuple(envs or ()), all_envs=all_envs, paths=tuple(paths or ()),
            schema_locations=tuple(schema_location or ()), kubernetes_version=kubernetes_version,
            strict=strict, chart_schema_locations=tuple(chart_schema_location or ()), jobs=_jobs(jobs),
            cache=not no_cache,
        )
        result = validation.validate(options)
        if result.input_error is not None and output_format == "text":
            raise result.input_error  # printed as render and diff print bad input
        minimum = Severity.INFO if verbose else Severity.WARNING
        from gitopsgen.validate.ondisk import is_unchecked_note

        shown = [p for p in result.problems if p.severity >= minimum or output_format in ("json", "sarif")
                 or (output_format == "github" and is_unchecked_note(p))]
        if output_format == "text":
            from gitopsgen.report import text

            text.validate_result(result.problems, sys.stdout, targets=result.targets, documents=result.documents,
                                 min_severity=minimum, skipped=result.skipped)
        else:
            import importlib

            reporter = importlib.import_module(f"gitopsgen.report.{output_format}")
            reporter.write(shown, sys.stdout, targets=result.targets, documents=result.documents,
                           skipped=result.skipped, root=options.root)
        return result.exit_code

    _run(debug, body)
