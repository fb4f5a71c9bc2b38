"""The `validate` command: every layer, all findings in one run, nothing written.

Two modes:

* environments (`validate ENV... | --all`): the environment unit `render --check` runs
  (`run.render`), so both find the same things with the same provenance and exit codes; a spec or
  template that fails is bad input (exit 2), every environment's input problems reported together;
* files (`validate --path FILE|DIR...`): any manifests on disk, hand-written ones too, from any
  working directory, inside or outside a gitopsgen repository.

`validate(options)` returns a `ValidateResult`; only reporters print.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitopsgen.core.errors import GitopsgenError, UsageError
from gitopsgen.core.problems import Problem, Severity, has_errors

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore
    from gitopsgen.validate.schemas import SchemaOptions


@dataclass(frozen=True)
class ValidateOptions:
    root: Path | None
    envs: tuple[str, ...] = ()
    all_envs: bool = False
    paths: tuple[Path, ...] = ()
    schema_locations: tuple[str, ...] = ()
    kubernetes_version: str | None = None
    strict: bool = False
    chart_schema_locations: tuple[str, ...] = ()
    store: SchemaStore | None = field(default=None, compare=False)
    """Opened by `validate()` from the locations above, gitopsgen.toml and the packaged store."""
    jobs: int | None = 1
    """Processes validating environments in parallel; None: automatic (`parallel.resolve_jobs`)."""
    cache: bool = False
    """Environments: use the result cache (`run.resultcache`); the CLI's default."""


@dataclass
class ValidateResult:
    problems: list[Problem] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    """What was checked: environment names, or the files read."""
    documents: int = 0
    """Kubernetes objects and data documents checked."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Files on disk: documents not validated, by reason."""
    input_error: GitopsgenError | None = None
    """Bad input (a spec or template that fails): its problems are `problems`; exit 2."""

    @property
    def exit_code(self) -> int:
        """0 clean (warnings and notes allowed); 1 findings; 2 bad input."""
        if self.input_error is not None:
            return self.input_error.exit_code
        return 1 if has_errors(self.problems) else 0


def validate(options: ValidateOptions) -> ValidateResult:
    from gitopsgen.validate.kubeversion import normalize

    if options.paths and options.envs:
        from gitopsgen.validate.ondisk import positional_paths

        more = positional_paths(options.envs)  # `--path rendered/prd/*.yaml`, expanded by the shell
        if more is not None:
            options = replace(options, paths=(*options.paths, *more), envs=())
    options = replace(options, kubernetes_version=normalize(options.kubernetes_version))
    if options.paths and (options.envs or options.all_envs):
        raise UsageError("give environments or --path, not both")
    if options.paths:
        return _validate_files(_settings(options))
    result = _validate_envs(options)  # the render run reads gitopsgen.toml and opens the store itself
    if options.root is None or result.input_error is not None:
        return result
    if result.targets and result.documents == 0 and not has_errors(result.problems):  # nothing checked is no pass
        from gitopsgen.run.guard import template_folder

        result.problems.append(Problem(template_folder(options.root), rule="templates", message=(
            f"the templates render no document for {', '.join(result.targets)}: nothing was validated"),
            hint="check the template folder (a missing or emptied templates/ is the usual cause)"))
    # The render run (check mode) named a killed run's leftovers and a stale editor schema already;
    # the schema is a warning of `render --check` and an error of `validate`.
    result.problems = sorted({replace(p, severity=Severity.ERROR) if p.rule == "spec-schema" else p
                              for p in result.problems})
    return result


def _settings(options: ValidateOptions) -> ValidateOptions:
    """The options with gitopsgen.toml (at the root) filling what no flag gave, and the schema store
    opened once for the run (a location that does not exist is bad input, before any work)."""
    from gitopsgen.core import config
    from gitopsgen.store.locations import open_store

    root = options.root or Path.cwd()
    settings = config.load(root) if root.is_dir() else config.Config()
    locations = options.schema_locations or settings.schema_locations
    store = open_store(root if root.is_dir() else None, locations, options.chart_schema_locations)
    from gitopsgen.validate.kubeversion import normalize

    return replace(options, schema_locations=locations, strict=options.strict or bool(settings.strict),
                   kubernetes_version=normalize(options.kubernetes_version or settings.kubernetes_version),
                   store=store)


def _schema_options(options: ValidateOptions, spec_version: str | None) -> SchemaOptions:
    from gitopsgen.validate.schemas import SchemaOptions, supported_kubernetes_versions

    version = options.kubernetes_version or spec_version or supported_kubernetes_versions()[-1]
    return SchemaOptions(version, options.schema_locations, options.strict,
                         chart_schema_locations=options.chart_schema_locations, store=options.store)


def _validate_files(options: ValidateOptions) -> ValidateResult:
    from gitopsgen.tree.disk import read_trees
    from gitopsgen.validate import ondisk, validate_tree

    trees, problems = read_trees(options.paths)
    tally = ondisk.Tally()
    for tree in trees:
        schema_options = _schema_options(options, None)
        problems.extend(ondisk.check_tree(tree, schema_options.schema_store(), schema_options.kubernetes_version,
                                          tally))
        problems.extend(validate_tree(tree, schema_options, cross_resource=bool(tree.env)))
    shown = sorted({*(tree.display(path) for tree in trees for path in tree.files),
                    *(p.file for p in problems if p.rule == "yaml")})  # files that did not parse were read too
    ondisk.require_documents(tally, problems, [str(p) for p in options.paths])
    return ValidateResult(sorted(problems), shown, tally.validated, dict(tally.skipped or {}))


def _validate_envs(options: ValidateOptions) -> ValidateResult:
    """Environments through the one environment unit `render --check` runs (`run.render`, `run.unit`):
    the same spec load (not-a-secret markers, positions), render, validation, provenance, fleet and
    cross-environment tail, so `validate ENV` and `render ENV --check` find the same things; only
    the drift (what `--check` reports as stale) is not a finding here."""
    from gitopsgen.core.errors import SpecError, TemplateError
    from gitopsgen.run.render import RenderOptions, render

    root = options.root or Path.cwd()
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    run = RenderOptions(root, options.envs, options.all_envs, check=True, schema_locations=options.schema_locations,
                        kubernetes_version=options.kubernetes_version, strict=True if options.strict else None,
                        chart_schema_locations=options.chart_schema_locations, jobs=options.jobs,
                        keep_trees=False, cache=options.cache)
    try:
        rendered = render(run)
    except (SpecError, TemplateError) as exc:  # bad input: exit 2, as from render and diff, in every format
        return ValidateResult(sorted(exc.problems), list(options.envs), input_error=exc)
    except GitopsgenError as exc:
        if not all(p.rule in ("spec", "template") for p in exc.problems):
            raise
        return ValidateResult(sorted(exc.problems), list(options.envs), input_error=exc)
    problems = sorted({p for env in rendered.envs for p in env.problems})
    return ValidateResult(problems, [env.env for env in rendered.envs if not env.env.startswith("_")],
                          sum(env.documents for env in rendered.envs))
