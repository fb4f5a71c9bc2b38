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

from gitopsgen.diff.engine import compare_trees
from gitopsgen.diff.model import DiffResult, EnvDiff, SideLabel
from gitopsgen.errors import UsageError
from gitopsgen.layout import ENVIRONMENTS, RENDERED
from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem

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
    from gitopsgen.diff.sides import disk_tree, render_side
    from gitopsgen.spec import list_environments

    root = options.root
    rendered = root / RENDERED
    specs = list_environments(root)
    on_disk = sorted(p.name for p in rendered.iterdir()
                     if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")) if rendered.is_dir() else []
    names = _names(options, on_disk, specs, str(root / ENVIRONMENTS))
    # An environment with neither a spec nor a folder goes to the loader, which names it unknown.
    new = render_side(root, [n for n in names if n in specs or n not in on_disk])
    old = {n: disk_tree(rendered / n, n) for n in names if n in on_disk}
    return DiffResult(SideLabel(f"{RENDERED}/ (on disk)"), SideLabel(f"render of the {WORKING_TREE}"),
                      _compare(options, names, old, new, (f"{RENDERED}/ on disk", WORKING_TREE)))


def _between_refs(options: DiffOptions, base: str) -> DiffResult:
    from gitopsgen.diff import gitrefs
    from gitopsgen.diff.sides import render_side
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
        new = render_side(head_root, [n for n in names if n in head_envs],
                          None if options.head is None else f"{options.head}:{repo.prefix}")
        old, notices = _base_side(base_root, [n for n in names if n in base_envs], base, f"{base}:{repo.prefix}")
    return DiffResult(SideLabel(base, base_commit), SideLabel(head_label, head_commit),
                      _compare(options, names, old, new, (base, head_label)), notices)


def _base_side(base_root: Path, envs: list[str], base: str, where: str) -> tuple[dict[str, RenderedTree], list[str]]:
    """The base side, rendered from its inputs; when they do not load with this version of
    gitopsgen (the spec model changed since, e.g. a new required key), the rendered/ committed at
    the ref, which `render --check` keeps equal to what its own version rendered."""
    from gitopsgen.diff.sides import disk_tree, render_side
    from gitopsgen.errors import SpecError, TemplateError

    try:
        return render_side(base_root, envs, where), []
    except (SpecError, TemplateError) as exc:
        committed = base_root / RENDERED
        if not envs or not all((committed / env).is_dir() for env in envs):
            raise
        first = exc.problems[0]
        more = f" (+{len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        why = f"{first.location}: {first.message}{more}"
        notice = (f"the specs at {base} do not load with this version of gitopsgen ({why}); its side is the "
                  f"{RENDERED}/ committed at {base}")
        return {env: disk_tree(committed / env, env) for env in envs}, [notice]


def _compare(options: DiffOptions, names: list[str], old: dict[str, RenderedTree], new: dict[str, RenderedTree],
             sides: tuple[str, str]) -> list[EnvDiff]:
    envs = [compare_trees(name, old.get(name), new.get(name)) for name in names]
    if options.charts and any(env.charts for env in envs):
        from gitopsgen.diff.charts import ChartDiffer

        def mirror(repo_url: str) -> str | None:
            from gitopsgen import config

            return config.load(options.root).mirror(repo_url)

        differ = ChartDiffer(sides, options.fetch_charts, options.fetch_command(), mirror)
        for env in envs:
            differ.fill(env, old.get(env.env), new.get(env.env))
    return envs
