"""`gitopsgen diff`: choose the two sides and the environments, compare, return a `DiffResult`.

* Without `base`: `rendered/<env>/` on disk (old) against a fresh render of the working tree (new),
  i.e. what `gitopsgen render` would change. An environment whose spec is gone but whose folder is
  still in `rendered/` shows as removed.
* With `base`: the inputs at that ref, rendered in a temporary folder (old), against the working
  tree or the inputs at `head` (new). An environment present on one side only is added or removed.

Then the charts whose version, values or Helm settings changed are rendered at both sides with Helm
(`diff.charts`, offline from the chart cache; `fetch_charts` downloads missing archives).
"""

from __future__ import annotations

import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitopsgen.core.errors import GitopsgenError, SpecError, TemplateError, UsageError, combined
from gitopsgen.core.problems import Problem
from gitopsgen.diff.engine import compare_trees
from gitopsgen.diff.model import DiffResult, EnvDiff, SideLabel
from gitopsgen.facts.layout import ENVIRONMENTS, RENDERED
from gitopsgen.tree.manifests import RenderedTree

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitopsgen.diff.charts import ChartDiffer
    from gitopsgen.diff.sides import RenderSide

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class DiffOptions:
    root: Path
    envs: tuple[str, ...] = ()
    all_envs: bool = False
    base: str | None = None
    """A git ref: compare the render as of this ref with the working tree (or `head`)."""
    head: str | None = None
    fetch_charts: bool = False
    """Download chart archives the chart-aware diff needs and the cache lacks (digest-checked)."""
    charts: bool = True
    """Render changed charts at both sides (the chart-aware diff); False lists them only."""

    def fetch_command(self) -> str:
        """This diff again, with `--fetch-charts`."""
        words = ["gitopsgen", "diff", *(["--all"] if self.all_envs else self.envs)]
        if self.base is not None:
            words += ["--base", self.base]
        if self.head is not None:
            words += ["--head", self.head]
        return shlex.join([*words, "--fetch-charts"])


def diff(options: DiffOptions) -> DiffResult:
    root = options.root
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    if options.all_envs and options.envs:
        raise UsageError("give environment names or --all, not both")
    if not options.all_envs and not options.envs:
        raise UsageError("name at least one environment, or pass --all")
    if options.head is not None and options.base is None:
        raise UsageError("--head needs --base: without --base, diff compares rendered/ with a fresh render")
    if options.base is None:
        return _against_disk(options)
    return _between_refs(options, options.base)


def _names(options: DiffOptions, old: list[str], new: list[str], where: str) -> list[str]:
    if not options.all_envs:
        return list(dict.fromkeys(options.envs))
    names = sorted(set(old) | set(new))
    if not names:
        raise UsageError(Problem(where, message="no environment files found", rule="usage",
                                 hint="create environments/<env>.yaml"))
    return names


def _against_disk(options: DiffOptions) -> DiffResult:
    from gitopsgen.diff.sides import RenderSide, disk_tree
    from gitopsgen.spec import list_environments

    root = options.root
    rendered = root / RENDERED
    specs = list_environments(root)
    on_disk = sorted(p.name for p in rendered.iterdir()
                     if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")) if rendered.is_dir() else []
    names = _names(options, on_disk, specs, str(root / ENVIRONMENTS))
    side = RenderSide(root)

    def new(name: str) -> RenderedTree | None:
        # An environment with neither a spec nor a folder goes to the loader, which names it unknown.
        return side.tree(name) if name in specs or name not in on_disk else None

    def old(name: str) -> RenderedTree | None:
        return disk_tree(rendered / name, name) if name in on_disk else None

    return DiffResult(SideLabel(f"{RENDERED}/ (on disk)"), SideLabel(f"render of the {WORKING_TREE}"),
                      _compare(options, names, old, new, side, (f"{RENDERED}/ on disk", WORKING_TREE)))


def _between_refs(options: DiffOptions, base: str) -> DiffResult:
    from gitopsgen.diff import gitrefs
    from gitopsgen.spec import list_environments

    repo = gitrefs.open_repo(options.root)
    base_commit = gitrefs.resolve(repo, base)
    head_commit = gitrefs.resolve(repo, options.head) if options.head is not None else None
    with tempfile.TemporaryDirectory(prefix="gitopsgen-diff-") as tmp:
        base_root = Path(tmp) / "base"
        gitrefs.materialize(repo, base_commit, base_root)
        head_root = options.root
        if head_commit is not None:
            head_root = Path(tmp) / "head"
            gitrefs.materialize(repo, head_commit, head_root)
        base_envs, head_envs = list_environments(base_root), list_environments(head_root)
        head_label = options.head or WORKING_TREE
        head_named = options.head or f"the {WORKING_TREE}"
        names = _names(options, base_envs, head_envs, ENVIRONMENTS)
        for name in names:
            if name not in base_envs and name not in head_envs:
                raise UsageError(Problem(f"{ENVIRONMENTS}/{name}.yaml", message=(
                    f"unknown environment '{name}': neither {base} nor {head_named} has it"),
                    rule="usage", hint=f"environments at {base}: {', '.join(base_envs) or 'none'}; "
                                       f"at {head_named}: {', '.join(head_envs) or 'none'}"))
        envs, notices = _base_and_head(options, names, base_root, [n for n in names if n in base_envs],
                                       head_root, [n for n in names if n in head_envs], base, repo.prefix,
                                       (base, head_label))
    return DiffResult(SideLabel(base, base_commit), SideLabel(head_label, head_commit), envs, notices)


class _BaseUnloadable(Exception):
    """The base side's inputs do not load with this version of gitopsgen."""

    def __init__(self, error: GitopsgenError) -> None:
        super().__init__(str(error))
        self.error = error


def _base_and_head(options: DiffOptions, names: list[str], base_root: Path, base_envs: list[str],
                   head_root: Path, head_envs: list[str], base: str, prefix: str,
                   sides: tuple[str, str]) -> tuple[list[EnvDiff], list[str]]:
    """Each environment rendered at the base and at the head, compared, then dropped. When the
    base's inputs do not load with this version of gitopsgen (the spec model changed since, e.g. a
    new required key), its side is the rendered/ committed at the ref, which `render --check` keeps
    equal to what its own version rendered: the comparison starts again with that side."""
    from gitopsgen.diff.sides import RenderSide, disk_tree

    head_where = None if options.head is None else f"{options.head}:{prefix}"
    committed = base_root / RENDERED
    fallback = bool(base_envs) and all((committed / env).is_dir() for env in base_envs)
    base_side = RenderSide(base_root, f"{base}:{prefix}")

    def rendered_base(name: str) -> RenderedTree | None:
        if name not in base_envs:
            return None
        try:
            return base_side.tree(name)
        except (SpecError, TemplateError) as exc:
            if fallback:
                raise _BaseUnloadable(exc) from exc
            raise

    try:
        head_side = RenderSide(head_root, head_where)
        return _compare(options, names, rendered_base, _present(head_side, head_envs), head_side, sides), []
    except _BaseUnloadable as unloadable:
        first = unloadable.error.problems[0]
        count = len(unloadable.error.problems)
        more = f" (+{count - 1} more)" if count > 1 else ""
        why = f"{first.location}: {first.message}{more}"
        notice = (f"the specs at {base} do not load with this version of gitopsgen ({why}); its side is the "
                  f"{RENDERED}/ committed at {base}")

        def committed_base(name: str) -> RenderedTree | None:
            return disk_tree(committed / name, name) if name in base_envs else None

        head_side = RenderSide(head_root, head_where)
        return _compare(options, names, committed_base, _present(head_side, head_envs), head_side, sides), [notice]


def _present(side: RenderSide, envs: list[str]) -> Callable[[str], RenderedTree | None]:
    return lambda name: side.tree(name) if name in envs else None


def _compare(options: DiffOptions, names: list[str], old: Callable[[str], RenderedTree | None],
             new: Callable[[str], RenderedTree | None], new_side: RenderSide,
             sides: tuple[str, str]) -> list[EnvDiff]:
    """Environment by environment: the new tree, the old, their comparison and chart changes; the
    trees are dropped before the next environment is rendered. Every input problem is reported
    together (a template problem once), the new side's before the old side's; a problem stops the
    comparing, not the reading."""
    envs: list[EnvDiff] = []
    errors: list[GitopsgenError] = []
    old_errors: list[GitopsgenError] = []
    differ: ChartDiffer | None = None
    for name in names:
        try:
            after = new(name)
        except GitopsgenError as exc:
            errors.append(exc)
            if new_side.stopped:
                break
            continue
        if errors:
            continue
        try:
            before = old(name)
        except GitopsgenError as exc:
            old_errors.append(exc)
        if old_errors:
            continue
        env = compare_trees(name, before, after)
        if options.charts and env.charts:
            differ = differ or _chart_differ(options, sides)
            differ.fill(env, before, after)
        envs.append(env)
        del before, after  # not alive while the next environment renders
    if errors or old_errors:
        raise combined(errors or old_errors)
    return envs


def _chart_differ(options: DiffOptions, sides: tuple[str, str]) -> ChartDiffer:
    from gitopsgen.diff.charts import ChartDiffer

    def mirror(repo_url: str) -> str | None:
        from gitopsgen.core import config

        return config.load(options.root).mirror(repo_url)

    return ChartDiffer(sides, options.fetch_charts, options.fetch_command(), mirror)
