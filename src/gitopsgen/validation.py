"""The `validate` command's pipeline: every layer, all findings in one run, nothing written.

Two modes:

* environments (`validate ENV... | --all`): each spec is loaded and checked, rendered in memory,
  and the rendered tree goes through every validation layer. A spec or template that fails is a
  finding of that environment (exit 1), and the other environments are still checked, so a
  pre-commit run shows everything at once;
* files (`validate --path FILE|DIR...`): any manifests on disk, hand-written ones too, from any
  working directory, inside or outside a gitopsgen repository.

Bad input (an unknown environment, a path that does not exist, a missing templates folder)
raises `GitopsgenError` (exit 2). `validate(options)` returns a `ValidateResult`; only reporters
print.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitopsgen.errors import SpecError, TemplateError, UsageError
from gitopsgen.layout import FLEET, RENDERED, TEMPLATES
from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem, has_errors
from gitopsgen.validate.schemas import SchemaOptions

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore


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


@dataclass
class ValidateResult:
    problems: list[Problem] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    """What was checked: environment names, or the files read."""
    documents: int = 0
    """Kubernetes objects and data documents checked."""

    @property
    def exit_code(self) -> int:
        """0 clean (warnings and notes allowed); 1 findings."""
        return 1 if has_errors(self.problems) else 0


def validate(options: ValidateOptions) -> ValidateResult:
    if options.paths and (options.envs or options.all_envs):
        raise UsageError("give environments or --path, not both")
    options = _settings(options)
    if options.paths:
        return _validate_files(options)
    return _validate_envs(options)


def _settings(options: ValidateOptions) -> ValidateOptions:
    """The options with gitopsgen.toml (at the root) filling what no flag gave, and the schema store
    opened once for the run (a location that does not exist is bad input, before any work)."""
    from gitopsgen import config
    from gitopsgen.store.locations import open_store

    root = options.root or Path.cwd()
    settings = config.load(root) if root.is_dir() else config.Config()
    locations = options.schema_locations or settings.schema_locations
    store = open_store(root if root.is_dir() else None, locations, options.chart_schema_locations)
    return replace(options, schema_locations=locations, strict=options.strict or bool(settings.strict),
                   kubernetes_version=options.kubernetes_version or settings.kubernetes_version, store=store)


def _schema_options(options: ValidateOptions, spec_version: str | None) -> SchemaOptions:
    from gitopsgen.validate.schemas import supported_kubernetes_versions

    version = options.kubernetes_version or spec_version or supported_kubernetes_versions()[-1]
    return SchemaOptions(version, options.schema_locations, options.strict,
                         chart_schema_locations=options.chart_schema_locations, store=options.store)


def _validate_files(options: ValidateOptions) -> ValidateResult:
    from gitopsgen.disk import read_trees
    from gitopsgen.validate import validate_tree

    trees, problems = read_trees(options.paths)
    for tree in trees:
        problems.extend(validate_tree(tree, _schema_options(options, None), cross_resource=bool(tree.env)))
    shown = sorted(tree.display(path) for tree in trees for path in tree.files)
    return ValidateResult(sorted(problems), shown, sum(_count(tree) for tree in trees))


def _validate_envs(options: ValidateOptions) -> ValidateResult:
    from gitopsgen.lock import repository_lock
    from gitopsgen.pipeline import select_envs

    root = options.root or Path.cwd()
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    envs = select_envs(root, options.envs, options.all_envs)
    from gitopsgen.spec import across

    across.refuse(root, envs)  # as render: ENV against every other environment's spec
    with repository_lock(root, exclusive=False):  # a render in progress finishes first
        return _validate_locked(options, root, envs)


@dataclass
class _EnvFindings:
    """What `validate` keeps of one environment (picklable: worker processes send it back)."""

    problems: list[Problem] = field(default_factory=list)
    template_problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    view: RenderedTree | None = None
    """The part of the tree the cross-environment rules read (`envrun.cross_view`)."""
    fleet: RenderedTree | None = None
    """Fleet mode, with --all: `rendered/_fleet/` as this environment renders it."""
    kubernetes_version: str | None = None


class _EnvValidator:
    """Per-process state of `validate`: the renderer (templates compiled once) and the options."""

    def __init__(self, options: ValidateOptions, root: Path) -> None:
        from gitopsgen.render.engine import Renderer

        self.options = options if options.store is not None else _settings(options)
        self.root = root
        self.renderer = Renderer(root)
        self.fleet = self.renderer.fleet.enabled and options.all_envs

    def run(self, env: str) -> _EnvFindings:
        from gitopsgen.context import build_context
        from gitopsgen.envrun import cross_view, untraced_tree
        from gitopsgen.provenance import relocate
        from gitopsgen.spec import load
        from gitopsgen.validate import validate_tree
        from gitopsgen.write import read_tree

        options, root = self.options, self.root
        out = _EnvFindings()
        try:
            loaded = load(root, env)
        except SpecError as exc:
            out.problems.extend(exc.problems)
            return out
        try:
            context = build_context(loaded)
            tree = self.renderer.render(env, context)
            if self.fleet:
                out.fleet = untraced_tree(self.renderer.render_fleet(context))
        except TemplateError as exc:
            out.template_problems.extend(exc.problems)  # the same template usually fails for every env
            return out
        out.problems.extend(loaded.warnings)
        if options.store is not None:
            from gitopsgen.store.pins import chart_pins, check_pins

            out.problems.extend(check_pins(chart_pins(loaded), options.store))
        out.kubernetes_version = loaded.model.kubernetes_version
        found = validate_tree(tree, _schema_options(options, loaded.model.kubernetes_version))
        # A finding's rendered line means something only where the file on disk is the render.
        on_disk = read_tree(root / RENDERED / env)
        same = {path for path, data in tree.bytes_by_path().items() if on_disk.get(path) == data}
        out.problems.extend(relocate(tree, found, same))
        out.documents = _count(tree)
        out.view = cross_view(tree)
        return out


    def render_fleet(self, env: str) -> RenderedTree:
        from gitopsgen.context import build_context
        from gitopsgen.spec import load

        return self.renderer.render_fleet(build_context(load(self.root, env)))


def _validate_env(worker: _EnvValidator, env: str) -> _EnvFindings:
    return worker.run(env)


def _validate_locked(options: ValidateOptions, root: Path, envs: list[str]) -> ValidateResult:
    """Environments one at a time (or in `options.jobs` processes), keeping of each its findings
    and the part of its tree the cross-environment rules read."""
    import functools

    from gitopsgen.parallel import ordered_map, resolve_jobs

    result = ValidateResult(targets=envs)
    template_problems: set[Problem] = set()
    views: list[RenderedTree] = []
    jobs = resolve_jobs(options.jobs, len(envs))
    found: Iterator[_EnvFindings]
    if jobs <= 1:
        worker = _EnvValidator(options, root)
        found = (worker.run(env) for env in envs)
    else:  # each worker opens the schema store itself
        from gitopsgen.render.engine import Renderer

        Renderer(root)  # a missing templates folder is bad input here, not a broken worker
        portable = replace(options, store=None)
        found = ordered_map(functools.partial(_EnvValidator, portable, root), _validate_env, envs, jobs)
    fleet_renders: list[tuple[str, RenderedTree]] = []
    version = None
    for env, item in zip(envs, found, strict=False):
        result.problems.extend(item.problems)
        template_problems.update(item.template_problems)
        result.documents += item.documents
        if item.view is not None:
            views.append(item.view)
        if item.fleet is not None:
            fleet_renders.append((env, item.fleet))
            version = version or item.kubernetes_version
    if fleet_renders and len(fleet_renders) == len(views):  # fleet mode: the one ApplicationSet, as render writes it
        from gitopsgen import fleet
        from gitopsgen.provenance import relocate
        from gitopsgen.render.engine import fleet_info
        from gitopsgen.write import read_tree

        first_env = fleet_renders[0][0]
        fleet_renders[0] = (first_env, _EnvValidator(options, root).render_fleet(first_env))  # with its trace
        tree = fleet_renders[0][1]
        with_apps = [v.env for v in views if any(p.startswith("apps/") for p in v.files)]
        problems = fleet.findings(fleet_renders, with_apps, fleet_info(root), _schema_options(options, version))
        on_disk = read_tree(root / RENDERED / FLEET)
        same = {path for path, data in tree.bytes_by_path().items() if on_disk.get(path) == data}
        result.problems.extend(relocate(tree, problems, same))
        result.documents += _count(tree)
        views.append(tree)
    from gitopsgen.scaffold import template_drift

    result.problems.extend(template_drift(root / TEMPLATES))
    if options.all_envs:  # environments must not collide (tunnel, DNS owner, Argo CD names, hosts), as in render
        from gitopsgen.validate.rules import run_across

        result.problems.extend(p for found in run_across(views).values() for p in found)
    result.problems = sorted({*result.problems, *template_problems})
    return result


def _count(tree: RenderedTree) -> int:
    return sum(len(f.documents) for f in tree.files.values())
