"""What a render run returns (data only): per environment its findings and file changes, and the
run's exit code. Reporters read these; only `run.render` makes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitopsgen.core.problems import Problem, has_errors
from gitopsgen.facts.layout import RENDERED
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.tree.write import FileChange


@dataclass
class EnvResult:
    env: str
    tree: RenderedTree
    """The rendered tree; with `keep_trees=False`, only the files the cross-environment rules read."""
    problems: list[Problem] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    written: bool = False
    stale: dict[str, bytes] = field(default_factory=dict)
    """With --check: what is on disk for each changed file that exists there."""
    texts: dict[str, str] = field(default_factory=dict)
    """With --check: the rendered text of each changed file that the render produces."""
    files: int = -1
    """How many files the render produced (-1: count `tree.files`)."""
    documents: int = 0
    """How many documents (objects and data documents) the render produced and validated."""
    kept: list[str] = field(default_factory=list)
    """Files not written by gitopsgen that the render keeps in rendered/<env>/."""
    pruned: list[str] = field(default_factory=list)
    """Files not written by gitopsgen removed with --prune."""

    def __post_init__(self) -> None:
        if self.files < 0:
            self.files = len(self.tree.files)

    @property
    def invalid(self) -> bool:
        return has_errors(self.problems)


@dataclass
class RenderResult:
    check: bool
    envs: list[EnvResult]
    orphans: list[str] = field(default_factory=list)
    """With --all: folders of rendered/ that no environment produces (an environment was removed
    or renamed). Reported by --check, removed by a write."""
    target: str = RENDERED
    """Where the trees go, as shown to the user (`rendered`, or the --output folder)."""
    stream: bool = False

    @property
    def exit_code(self) -> int:
        """0 written or in sync; 1 drift (with --check) or invalid output."""
        if any(e.invalid for e in self.envs):
            return 1
        if self.check and (self.orphans or any(e.changes for e in self.envs)):
            return 1
        return 0
