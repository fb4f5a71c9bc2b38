"""One environment through the render pipeline, the unit a run streams: load the spec, render,
validate, compare with the disk, stage the new tree beside the old one.

A run (`pipeline.render`) hands environments to `EnvWorker.run` one at a time, in this process or
in worker processes (`--jobs`), and keeps of each only an `EnvOutcome`: the findings (as they read
when the tree is written and when it is not), the file changes, the staged folder, and the
`cross_view` of the tree, the documents the cross-environment rules read. So memory grows with
one environment's tree, not with all of them; the all-or-nothing rule holds because nothing is
swapped in before every environment is staged and none is invalid (`write.Staged`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitopsgen.core.errors import GitopsgenError, combined, stops_everything
from gitopsgen.core.problems import Problem, has_errors
from gitopsgen.run.timings import done, phase
from gitopsgen.run.view import cross_view
from gitopsgen.tree.manifests import RenderedFile, RenderedTree

if TYPE_CHECKING:
    from gitopsgen.render.engine import Renderer
    from gitopsgen.spec import LoadedSpec
    from gitopsgen.store.locations import SchemaStore
    from gitopsgen.tree.write import FileChange, Staged


@dataclass(frozen=True)
class EnvJob:
    """What every environment of a run shares; sent once to each worker process."""

    root: Path
    target: Path
    """Where the trees go: `rendered/`, or the --output folder."""
    check: bool = False
    stream: bool = False
    keep_trees: bool = True
    """Keep each environment's whole tree in its result (else its `cross_view`)."""
    schema_locations: tuple[str, ...] = ()
    chart_schema_locations: tuple[str, ...] = ()
    kubernetes_version: str | None = None
    """The flag's or gitopsgen.toml's; None: each spec's."""
    strict: bool = False
    prune: bool = False
    """Remove files of rendered/<env>/ that gitopsgen did not write (`render.foreign`)."""
    fleet: bool = False
    """Fleet mode with --all: every environment also renders `rendered/_fleet/` (`fleet.py`)."""
    cache: bool = False
    """Serve an environment whose inputs and files are unchanged from its record (`resultcache`)."""

    @property
    def writes(self) -> bool:
        return not (self.check or self.stream)


@dataclass
class EnvOutcome:
    """What a run keeps of one environment (picklable: worker processes send it back)."""

    env: str
    error: tuple[type[GitopsgenError], list[Problem]] | None = None
    """Bad input (spec, template): the error's type and problems."""
    tree: RenderedTree | None = None
    warnings: list[Problem] = field(default_factory=list)
    pins: list[Problem] = field(default_factory=list)
    """Chart pins the store does not hold; the run reports each once, for the first environment."""
    found: list[Problem] = field(default_factory=list)
    """Findings on the rendered tree, located on the rendered lines (as they read once written)."""
    found_unwritten: list[Problem] = field(default_factory=list)
    """The same findings when the tree is not written: files that differ on disk point at their template."""
    files: int = 0
    changes: list[FileChange] = field(default_factory=list)
    stale: dict[str, bytes] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    """With --check: the rendered text of each file that differs from the disk."""
    staged: Staged | None = None
    kept: list[str] = field(default_factory=list)
    """Files of rendered/<env>/ not written by gitopsgen that the render keeps (`render.foreign`)."""
    pruned: list[str] = field(default_factory=list)
    """The same, removed with --prune."""
    documents: int = 0
    kubernetes_version: str | None = None
    fleet: RenderedTree | None = None
    """Fleet mode, with --all: `rendered/_fleet/` as this environment renders it."""


def _untraced(rendered: RenderedFile) -> RenderedFile:
    """A file without what only relocating a finding needs (the raw output and its line trace)."""
    return dataclasses.replace(rendered, raw=None, trace=None)


def untraced_tree(tree: RenderedTree) -> RenderedTree:
    return RenderedTree(tree.env, {p: _untraced(f) for p, f in tree.files.items()}, tree.prefix, dict(tree.shown),
                        tree.not_secrets)


class EnvRenderer:
    """The environments of the inputs at `root`, loaded and rendered one at a time with one renderer
    (templates compiled once): what a run, each side of a diff and `pipeline.render_trees` share."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            from gitopsgen.render.engine import Renderer

            self._renderer = Renderer(self.root)
        return self._renderer

    def render(self, env: str) -> tuple[LoadedSpec, dict[str, Any], RenderedTree]:
        """`env`'s spec, the template context made from it, and its tree (raises `GitopsgenError`)."""
        from gitopsgen.render.provenance import located_context
        from gitopsgen.spec import load

        with phase(env, "load"):
            loaded = load(self.root, env)
        with phase(env, "render"):
            context = located_context(loaded)
            tree = self.renderer.render(env, context)
        tree.not_secrets = loaded.not_secrets
        return loaded, context, tree


class EnvWorker:
    """Per-process state of a run: the renderer (templates compiled once) and the schema store."""

    def __init__(self, job: EnvJob, store: SchemaStore | None = None) -> None:
        from gitopsgen.store.locations import open_store

        self.job = job
        self.store = store if store is not None else open_store(job.root, job.schema_locations,
                                                               job.chart_schema_locations)
        self.envs = EnvRenderer(job.root)
        from gitopsgen.run.resultcache import ResultCache

        self.results = ResultCache.for_job(job)

    def run(self, env: str, *, validate: bool = True, portable: bool = False) -> EnvOutcome:
        """One environment, start to staged. `validate=False` (bad input elsewhere already stops the
        run) only loads and renders it, for its own input problems. `portable`: the outcome goes to
        another process (its trees carry no template trace)."""
        try:
            if validate and self.results is not None:
                with phase(env, "cache"):
                    served = self.results.lookup(env)
                if served is not None:
                    return EnvOutcome(env, **served)
            return self._run(env, validate, portable)
        finally:
            done(env)

    def _run(self, env: str, validate: bool, portable: bool) -> EnvOutcome:
        fleet: RenderedTree | None = None
        try:
            loaded, context, tree = self.envs.render(env)
            if self.job.fleet:
                with phase(env, "render"):
                    fleet = self.envs.renderer.render_fleet(context)
        except GitopsgenError as exc:
            return EnvOutcome(env, error=(type(exc), exc.problems))
        if not validate:
            return EnvOutcome(env)
        outcome = self._validated(loaded, tree, portable)
        if fleet is not None:
            outcome.fleet = untraced_tree(fleet) if portable else fleet
        return outcome

    def render_fleet(self, env: str) -> RenderedTree:
        """`rendered/_fleet/` as `env` renders it, with its template trace (for findings)."""
        from gitopsgen.render.provenance import located_context
        from gitopsgen.spec import load

        return self.envs.renderer.render_fleet(located_context(load(self.job.root, env)))

    def _validated(self, loaded: object, tree: RenderedTree, portable: bool) -> EnvOutcome:
        from gitopsgen.spec import LoadedSpec
        from gitopsgen.store.pins import chart_pins, check_pins
        from gitopsgen.validate import SchemaOptions, validate_tree

        assert isinstance(loaded, LoadedSpec)
        job = self.job
        version = job.kubernetes_version or loaded.model.kubernetes_version
        with phase(tree.env, "validate"):
            found = validate_tree(tree, SchemaOptions(version, strict=job.strict, store=self.store))
            pins = check_pins(chart_pins(loaded), self.store)
        outcome = EnvOutcome(tree.env, warnings=list(loaded.warnings), pins=pins, found=found,
                             kubernetes_version=version)
        with phase(tree.env, "compare-write"):
            settle(job, tree, outcome)
        if job.keep_trees or job.stream:
            outcome.tree = untraced_tree(tree) if portable else tree
        else:
            outcome.tree = cross_view(tree)
        if self.results is not None:
            self.results.record(tree, outcome)
        return outcome


def settle(job: EnvJob, tree: RenderedTree, outcome: EnvOutcome) -> None:
    """Fill `outcome` for a validated `tree` (its findings in `outcome.found`): what differs on
    disk, the findings as they read if it is not written, and its staged folder when it may be."""
    from gitopsgen.tree.foreign import sort_out
    from gitopsgen.tree.relocate import relocate
    from gitopsgen.tree.write import compare, read_tree, stage_tree

    found = outcome.found
    outcome.files = len(tree.files)
    outcome.documents = sum(len(f.documents) for f in tree.files.values())
    if not job.stream:
        on_disk = read_tree(job.target / tree.env)
        foreign = sort_out(compare(tree.bytes_by_path(), on_disk), on_disk, prune=job.prune)
        outcome.changes, kept, outcome.pruned = foreign.changes, foreign.kept, foreign.pruned
        outcome.kept = sorted(kept)
        if job.check:
            outcome.stale = {c.path: on_disk[c.path] for c in outcome.changes if c.path in on_disk}
            outcome.texts = {c.path: tree.files[c.path].text for c in outcome.changes if c.path in tree.files}
    changed = {c.path for c in outcome.changes}
    outcome.found_unwritten = relocate(tree, found, {p for p in tree.files if p not in changed})
    if job.writes and not has_errors(found):
        # the run removed what killed runs left before its first environment (`pipeline`): a
        # worker cleaning here could remove another worker's staged tree
        outcome.staged = stage_tree(tree, job.target / tree.env, outcome.changes, clean=False,
                                    keep={p: on_disk[p] for p in outcome.kept})
    outcome.tree = tree


def stops_the_run(outcome: EnvOutcome) -> bool:
    """A template or usage error fails every environment alike: say it once."""
    return outcome.error is not None and stops_everything(outcome.error[0])


def combined_error(outcomes: list[EnvOutcome]) -> GitopsgenError | None:
    """One error holding every input problem of the run's environments, or None."""
    errors = [cls(problems) for cls, problems in (o.error for o in outcomes if o.error is not None)]
    return combined(errors) if errors else None

