"""The pipeline, stage by stage: load spec -> derive context -> render -> validate -> write | check.

`render(options)` returns a `RenderResult` (data only, nothing printed). Bad input anywhere (a spec,
an environment name, a template) raises a `GitopsgenError` before anything is written, for every
environment of the run: either all environments are written or none is. The whole run holds the
repository lock (`gitopsgen.run.repolock`): exclusive to write, shared for `--check`.

Environments are streamed (`envrun`): each is loaded, rendered, validated, compared with the disk
and staged beside its old tree one at a time, in this process or in worker processes (`--jobs`,
`parallel`); the run keeps of each only its findings, changes, staged folder and the part of its
tree the cross-environment rules read, and swaps the staged trees in when every environment is
staged and none is invalid. In fleet mode `render --all` adds `rendered/_fleet/` (`fleet`).

Findings on rendered output point at the rendered line when that file is on disk as rendered, and
at the template line that wrote it otherwise (`provenance.relocate`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gitopsgen.core.errors import GitopsgenError, UsageError, combined, stops_everything
from gitopsgen.core.problems import Problem
from gitopsgen.facts.layout import ENVIRONMENTS, FLEET, RENDERED, TEMPLATES
from gitopsgen.run.results import EnvResult, RenderResult
from gitopsgen.spec import LoadedSpec
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.tree.write import remove_tree


@dataclass(frozen=True)
class RenderOptions:
    root: Path
    envs: tuple[str, ...] = ()
    all_envs: bool = False
    check: bool = False
    schema_locations: tuple[str, ...] = ()
    """Empty: `[validate] schema-locations` of gitopsgen.toml (flags override the file)."""
    kubernetes_version: str | None = None
    """None: gitopsgen.toml's, else each environment's `kubernetesVersion`."""
    strict: bool | None = None
    """None: gitopsgen.toml's, else off."""
    chart_schema_locations: tuple[str, ...] = ()
    output: Path | None = None
    """Write (or check) `<output>/<env>/` instead of `rendered/<env>/`."""
    stream: bool = False
    """Write nothing: the caller streams the trees (`--output -`)."""
    lock_timeout: float | None = None
    """Seconds to wait for another run on the repository; None: GITOPSGEN_LOCK_TIMEOUT or 60."""
    on_wait: Callable[[str], None] | None = field(default=None, compare=False)
    """Called once with a sentence when the run has to wait for another one."""
    jobs: int | None = 1
    """Processes rendering environments in parallel; None: automatic (`parallel.resolve_jobs`)."""
    keep_trees: bool = True
    """Keep every environment's whole rendered tree in the result. False (the CLI) keeps only what
    the cross-environment rules read, so memory grows with one environment, not with all."""
    cache: bool = False
    """Serve environments whose inputs and files are unchanged from the result cache
    (`run.resultcache`; with `keep_trees=False` only). The CLI turns it on unless --no-cache."""


def select_envs(root: Path, envs: tuple[str, ...], all_envs: bool, cwd: Path | None = None) -> list[str]:
    """The environment names of a run: every one with `all_envs`, else each argument, a name or a
    path to its spec file (`environments/prd.yaml`, as pre-commit passes them; relative to `cwd`)."""
    from gitopsgen.run.workspace import environment_argument
    from gitopsgen.spec.loader import list_environments, refused_file_problem, refused_files

    if all_envs and envs:
        raise UsageError("give environment names or --all, not both")
    if all_envs:
        refused = refused_files(root)
        if refused:
            raise UsageError([refused_file_problem(p, root) for p in refused])
        found = list_environments(root)
        if not found:
            raise UsageError(Problem(f"{ENVIRONMENTS}", message="no environment files found",
                                     rule="usage", hint="create environments/<env>.yaml"))
        return found
    if not envs:
        raise UsageError("name at least one environment, or pass --all")
    problems: list[Problem] = []
    names: list[str] = []
    for arg in envs:
        try:
            names.extend(environment_argument(root, arg, cwd))
        except UsageError as exc:
            problems.extend(exc.problems)
    if problems:
        raise UsageError(problems)
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Rendered:
    """One environment's validated spec and its rendered tree."""

    spec: LoadedSpec
    tree: RenderedTree


def render_trees(root: Path, envs: list[str]) -> list[Rendered]:
    """Load and render every environment; raise one error holding every input problem of all of them."""
    from gitopsgen.run.unit import EnvRenderer

    renderer = EnvRenderer(root)
    rendered: list[Rendered] = []
    errors: list[GitopsgenError] = []
    for env in envs:
        try:
            loaded, _, tree = renderer.render(env)
            rendered.append(Rendered(loaded, tree))
        except GitopsgenError as exc:
            errors.append(exc)
            if stops_everything(type(exc)):
                break
    if errors:
        raise combined(errors)
    return rendered


def render(options: RenderOptions) -> RenderResult:
    from gitopsgen.run.repolock import repository_lock
    from gitopsgen.run.workspace import check_root

    root = options.root
    check_root(root)
    if options.stream and options.check:
        raise UsageError("--output - streams the render to stdout: it cannot be combined with --check")
    envs = select_envs(root, options.envs, options.all_envs)
    writes = not (options.check or options.stream)
    with repository_lock(root, exclusive=writes, timeout=options.lock_timeout, on_wait=options.on_wait):
        return _render_locked(options, envs)


def _render_locked(options: RenderOptions, envs: list[str]) -> RenderResult:
    from gitopsgen.core import config
    from gitopsgen.run.parallel import outcomes, resolve_jobs
    from gitopsgen.run.timings import done, phase
    from gitopsgen.run.unit import EnvJob, EnvOutcome, EnvWorker, combined_error
    from gitopsgen.store.locations import open_store
    from gitopsgen.tree.write import Staged, clean_leftovers
    from gitopsgen.validate.kubeversion import normalize

    root = options.root
    with phase("run", "open-store"):
        settings = config.load(root)
        locations = options.schema_locations or settings.schema_locations
        store = open_store(root, locations, options.chart_schema_locations)  # a bad location fails before any work
    strict = settings.strict if options.strict is None else options.strict
    target = options.output if options.output is not None else root / RENDERED
    job = EnvJob(root, target, check=options.check, stream=options.stream, keep_trees=options.keep_trees,
                 schema_locations=locations, chart_schema_locations=options.chart_schema_locations,
                 kubernetes_version=normalize(options.kubernetes_version or settings.kubernetes_version),
                 strict=bool(strict),
                 fleet=settings.fleet and options.all_envs, cache=options.cache)
    created = [p for p in (target, *target.parents) if not p.exists()]  # folders staging may create
    if job.writes:
        clean_leftovers(target)  # what killed runs left, before anything is read or staged
    jobs = 1 if options.stream else resolve_jobs(options.jobs, len(envs))

    results: list[EnvResult] = []
    unwritten: dict[str, list[Problem]] = {}  # each environment's findings as they read if it is not written
    staged: list[Staged] = []
    failed: list[EnvOutcome] = []
    reported: set[Problem] = set()  # a pin in defaults.yaml is reported once, not once per environment
    fleet_renders: list[tuple[str, RenderedTree]] = []  # fleet mode: rendered/_fleet/ as each environment renders it
    swapped = False

    def keep(outcome: EnvOutcome) -> None:
        assert outcome.tree is not None
        pins = [p for p in outcome.pins if p not in reported]
        reported.update(pins)
        results.append(EnvResult(outcome.env, outcome.tree, [*outcome.warnings, *pins, *outcome.found],
                                 outcome.changes, stale=outcome.stale, texts=outcome.texts, files=outcome.files,
                                 documents=outcome.documents))
        unwritten[outcome.env] = [*outcome.warnings, *pins, *outcome.found_unwritten]

    try:
        first_version = None
        serial = EnvWorker(job, store) if jobs == 1 else None
        for outcome in outcomes(job, envs, jobs, serial):
            if outcome.staged is not None:
                staged.append(outcome.staged)
            if outcome.error is not None:
                failed.append(outcome)
            if failed or outcome.tree is None:
                continue  # bad input: nothing will be written; the other environments only report theirs
            keep(outcome)
            first_version = first_version or outcome.kubernetes_version
            if outcome.fleet is not None:
                fleet_renders.append((outcome.env, outcome.fleet))
        error = combined_error(failed)
        if error is not None:
            raise error
        if fleet_renders and first_version is not None:  # one ApplicationSet for every environment
            from gitopsgen.render.engine import fleet_info
            from gitopsgen.run import fleet

            with_apps = [r.env for r in results if any(p.startswith("apps/") for p in r.tree.files)]
            first_env, first = fleet_renders[0]
            if any(f.trace is None for f in first.files.values()):  # from a worker process: render it here, traced
                fleet_renders[0] = (first_env, (serial or EnvWorker(job, store)).render_fleet(first_env))
            produced = fleet.outcome(job, store, fleet_renders, with_apps, fleet_info(root), first_version)
            if produced.staged is not None:
                staged.append(produced.staged)
            keep(produced)

        with phase("run", "across"):
            extra: dict[str, list[Problem]] = {result.env: [] for result in results}
            if results:  # templates copied from another gitopsgen version: say what changed upstream, once
                from gitopsgen.run.scaffold import template_drift

                extra[results[0].env].extend(template_drift(root / TEMPLATES))
            if options.all_envs:  # environments must not collide (one tunnel, DNS owner, Argo CD name, host each)
                from gitopsgen.validate.rules import run_across

                for env, found in run_across([result.tree for result in results]).items():
                    extra[env].extend(found)
            for result in results:
                result.problems.extend(extra[result.env])
                unwritten[result.env].extend(extra[result.env])

        # Only rendered/ belongs to gitopsgen as a whole: never prune folders of an --output folder.
        prune = options.all_envs and options.output is None and not options.stream
        produced_folders = [*envs, FLEET] if job.fleet else envs
        outcome_ = RenderResult(options.check, results, _orphans(root / RENDERED, produced_folders) if prune else [],
                                target=RENDERED if options.output is None else str(options.output),
                                stream=options.stream)
        if job.writes and outcome_.exit_code == 0:  # every environment staged and valid: swap them all in
            swapped = True
            for item in staged:
                item.swap()
            for result in results:
                result.written = True
            for orphan in outcome_.orphans:
                remove_tree(root / RENDERED / orphan)
    finally:
        done("run")
        for item in staged:  # not swapped in (a swapped one left nothing behind): never leave it lying
            item.discard()
        if not swapped:
            for folder in created:  # a run that writes nothing leaves no new empty folder either
                with contextlib.suppress(OSError):
                    folder.rmdir()
    for result in results:
        if not result.written:  # the rendered lines of a file not on disk mean nothing there
            result.problems = unwritten[result.env]
    return outcome_


def _orphans(rendered: Path, envs: list[str]) -> list[str]:
    if not rendered.is_dir():
        return []
    return sorted(p.name for p in rendered.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and p.name not in envs)
