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
from typing import Any

from gitopsgen.core.errors import GitopsgenError, UsageError, combined, stops_everything
from gitopsgen.core.problems import Problem, Severity
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
    prune: bool = False
    """Remove files of rendered/<env>/ that gitopsgen did not write (kept and named otherwise)."""
    allow_empty: bool = False
    """Write a template set that renders nothing or drops most of an environment (`render.guard`)."""
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
    from gitopsgen.spec import across

    across.refuse(root, envs)  # an environment copied from another keeps none of its cluster, host, tunnel...
    writes = not (options.check or options.stream)
    with repository_lock(root, exclusive=writes, timeout=options.lock_timeout, on_wait=options.on_wait):
        return _render_locked(options, envs)


def _render_locked(options: RenderOptions, envs: list[str]) -> RenderResult:
    """Every environment through the unit, then what is written once for all of them (the fleet's
    ApplicationSet, template drift, the cross-environment rules), then all swapped in or none."""
    run = _Run(options, envs)
    try:
        run.collect()
        run.add_fleet()
        run.add_shared_findings()
        result = run.result()
        if run.job.writes and not options.allow_empty:  # an empty or gutted template set deletes the platform
            from gitopsgen.run.guard import refuse_losses

            refuse_losses(options.root, run.results)
        if run.job.writes and result.exit_code == 0:  # every environment staged and valid: swap them all in
            run.swap(result)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: say what is new and what is not (after the clean-up below)
        raise run.interrupted() from None
    finally:
        run.clean_up()
    return run.finish(result)


class _Run:
    """The state of one render run: what it keeps of each environment (findings, changes, staged
    folder, the part of its tree the cross-environment rules read) and what it swapped in."""

    def __init__(self, options: RenderOptions, envs: list[str]) -> None:
        from gitopsgen.core import config
        from gitopsgen.run.parallel import resolve_jobs
        from gitopsgen.run.timings import phase
        from gitopsgen.run.unit import EnvJob, EnvOutcome
        from gitopsgen.store.locations import open_store
        from gitopsgen.tree.write import Staged, clean_leftovers
        from gitopsgen.validate.kubeversion import normalize

        self.options, self.envs, root = options, envs, options.root
        with phase("run", "open-store"):
            settings = config.load(root)
            locations = options.schema_locations or settings.schema_locations
            self.store = open_store(root, locations, options.chart_schema_locations)  # bad location: first
        strict = settings.strict if options.strict is None else options.strict
        self.target = options.output if options.output is not None else root / RENDERED
        self.job = EnvJob(root, self.target, check=options.check, stream=options.stream,
                          keep_trees=options.keep_trees, schema_locations=locations,
                          chart_schema_locations=options.chart_schema_locations,
                          kubernetes_version=normalize(options.kubernetes_version or settings.kubernetes_version),
                          strict=bool(strict), prune=options.prune, fleet=settings.fleet and options.all_envs,
                          cache=options.cache)
        self.created = [p for p in (self.target, *self.target.parents) if not p.exists()]  # staging may create them
        if self.job.writes:
            clean_leftovers(self.target)  # what killed runs left, before anything is read or staged
        self.jobs = 1 if options.stream else resolve_jobs(options.jobs, len(envs))
        self.results: list[EnvResult] = []
        self.unwritten: dict[str, list[Problem]] = {}  # each environment's findings as they read if not written
        self.staged: list[Staged] = []
        self.failed: list[EnvOutcome] = []
        self.reported: set[Problem] = set()  # a pin in defaults.yaml is reported once, not once per environment
        self.fleet_renders: list[tuple[str, RenderedTree]] = []  # fleet mode: each environment's rendered/_fleet/
        self.first_version: str | None = None
        self.swapped: list[str] = []  # the environments whose new tree is in place (an interrupt names them)
        self.swapping = False
        self.serial: Any = None

    def keep(self, outcome: Any) -> None:
        assert outcome.tree is not None
        pins = [p for p in outcome.pins if p not in self.reported]
        self.reported.update(pins)
        self.results.append(EnvResult(outcome.env, outcome.tree, [*outcome.warnings, *pins, *outcome.found],
                                      outcome.changes, stale=outcome.stale, texts=outcome.texts,
                                      files=outcome.files, documents=outcome.documents, kept=outcome.kept,
                                      pruned=outcome.pruned))
        self.unwritten[outcome.env] = [*outcome.warnings, *pins, *outcome.found_unwritten]

    def collect(self) -> None:
        """Every environment through the unit, one at a time or in worker processes; raises one
        error holding every environment's input problems."""
        from gitopsgen.run.parallel import outcomes
        from gitopsgen.run.unit import EnvWorker, combined_error

        self.serial = EnvWorker(self.job, self.store) if self.jobs == 1 else None
        for outcome in outcomes(self.job, self.envs, self.jobs, self.serial):
            if outcome.staged is not None:
                self.staged.append(outcome.staged)
            if outcome.error is not None:
                self.failed.append(outcome)
            if self.failed or outcome.tree is None:
                continue  # bad input: nothing will be written; the other environments only report theirs
            self.keep(outcome)
            self.first_version = self.first_version or outcome.kubernetes_version
            if outcome.fleet is not None:
                self.fleet_renders.append((outcome.env, outcome.fleet))
        error = combined_error(self.failed)
        if error is not None:
            raise error

    def add_fleet(self) -> None:
        """Fleet mode: the one ApplicationSet for every environment, checked and staged."""
        if not self.fleet_renders or self.first_version is None:
            return
        from gitopsgen.render.engine import fleet_info
        from gitopsgen.run import fleet
        from gitopsgen.run.unit import EnvWorker

        with_apps = [r.env for r in self.results if any(p.startswith("apps/") for p in r.tree.files)]
        first_env, first = self.fleet_renders[0]
        if any(f.trace is None for f in first.files.values()):  # from a worker process: render it here, traced
            worker = self.serial or EnvWorker(self.job, self.store)
            self.fleet_renders[0] = (first_env, worker.render_fleet(first_env))
        produced = fleet.outcome(self.job, self.store, self.fleet_renders, with_apps, fleet_info(self.options.root),
                                 self.first_version)
        if produced.staged is not None:
            self.staged.append(produced.staged)
        self.keep(produced)

    def add_shared_findings(self) -> None:
        """What is said once for the run (template drift, a killed run's leftovers, a stale editor
        schema) and the cross-environment rules, each finding in the environment it names."""
        from gitopsgen.run.timings import phase

        with phase("run", "across"):
            self._add_shared_findings()

    def _add_shared_findings(self) -> None:
        options, results = self.options, self.results
        extra: dict[str, list[Problem]] = {result.env: [] for result in results}
        if results:  # templates copied from another gitopsgen version: say what changed upstream, once
            from gitopsgen.run.scaffold import template_drift

            extra[results[0].env].extend(template_drift(options.root / TEMPLATES))
            if options.check:  # what a killed run left: named, with how to remove it (a render does)
                from gitopsgen.run.interrupt import leftover_problems
                from gitopsgen.spec.editor_schema import stale_editor_schema

                extra[results[0].env].extend(leftover_problems(self.target, job_target_shown(options)))
                extra[results[0].env].extend(stale_editor_schema(options.root, Severity.WARNING))
        if options.all_envs:  # environments must not collide (one tunnel, DNS owner, Argo CD name, host each)
            from gitopsgen.validate.rules import run_across

            for env, found in run_across([result.tree for result in results]).items():
                extra[env].extend(found)
        for result in results:
            result.problems.extend(extra[result.env])
            self.unwritten[result.env].extend(extra[result.env])

    def result(self) -> RenderResult:
        options = self.options
        # Only rendered/ belongs to gitopsgen as a whole: never prune folders of an --output folder.
        prune = options.all_envs and options.output is None and not options.stream
        produced = [*self.envs, FLEET] if self.job.fleet else self.envs
        return RenderResult(options.check, self.results, _orphans(options.root / RENDERED, produced) if prune else [],
                            target=job_target_shown(options), stream=options.stream)

    def swap(self, result: RenderResult) -> None:
        self.swapping = True
        for item in self.staged:
            item.swap()
            self.swapped.append(item.target.name)
        for env in self.results:
            env.written = True
        for orphan in result.orphans:
            remove_tree(self.options.root / RENDERED / orphan)

    def interrupted(self) -> GitopsgenError:
        from gitopsgen.run.interrupt import interrupted

        kept = [e for e in self.envs if e not in self.swapped]
        return interrupted(job_target_shown(self.options), self.swapped, kept, writes=self.job.writes)

    def clean_up(self) -> None:
        from gitopsgen.run.timings import done
        from gitopsgen.tree.write import clean_leftovers

        done("run")
        for item in self.staged:  # not swapped in (a swapped one left nothing behind): never leave it lying
            item.discard()
        if self.job.writes:  # staged by a worker but never reported back (an interrupt): ours to remove
            clean_leftovers(self.target)
        if not self.swapping:
            for folder in self.created:  # a run that writes nothing leaves no new empty folder either
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def finish(self, result: RenderResult) -> RenderResult:
        for env in self.results:
            if not env.written:  # the rendered lines of a file not on disk mean nothing there
                env.problems = self.unwritten[env.env]
        return result


def job_target_shown(options: RenderOptions) -> str:
    """rendered/, or the --output folder, as the user named it."""
    return RENDERED if options.output is None else str(options.output)


def _orphans(rendered: Path, envs: list[str]) -> list[str]:
    if not rendered.is_dir():
        return []
    return sorted(p.name for p in rendered.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and p.name not in envs)
