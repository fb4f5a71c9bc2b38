"""A template set that would delete the platform is refused: Argo CD prunes what leaves
rendered/, so an empty or gutted `templates/` (created by mistake, emptied by a bad merge, holding
one stray file) must not pass as a render that "removed 33 files".

Refused, unless `--allow-empty`: an environment that renders no file at all, or a render that
would remove more than half of the files an environment has on disk (and at least
`MIN_FILES_TO_JUDGE` of them). Exit 2, naming the template folder the run used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gitopsgen.core.errors import UsageError
from gitopsgen.core.problems import Problem
from gitopsgen.facts import packaged
from gitopsgen.facts.layout import RENDERED, TEMPLATES
from gitopsgen.tree.write import Change

if TYPE_CHECKING:
    from gitopsgen.run.results import EnvResult

MIN_FILES_TO_JUDGE = 4
"""Below this many files on disk, a large share removed is ordinary editing, not a lost platform."""


def template_folder(root: Path) -> str:
    """The folder the run's templates come from, as the user can open it."""
    if (root / TEMPLATES).is_dir():
        return f"{TEMPLATES}/"
    folder = packaged.templates_dir()
    return f"{folder}/" if folder is not None else f"{TEMPLATES}/"


def losses(results: Sequence[EnvResult]) -> list[str]:
    """One sentence per environment the render would empty or gut."""
    found = []
    for result in results:
        added = sum(c.change is Change.ADDED for c in result.changes)
        removed = sum(c.change is Change.REMOVED for c in result.changes)
        on_disk = result.files - added + removed + len(result.kept)
        if result.files == 0:
            found.append(f"{RENDERED}/{result.env}: the templates render no file at all")
        elif on_disk >= MIN_FILES_TO_JUDGE and removed * 2 > on_disk:
            found.append(f"{RENDERED}/{result.env}: the templates would remove {removed} of its {on_disk} files")
    return found


def refuse_losses(root: Path, results: Sequence[EnvResult]) -> None:
    """Raise a usage error (exit 2, nothing written) naming the template folder and each loss."""
    found = losses(results)
    if not found:
        return
    folder = template_folder(root)
    raise UsageError([Problem(folder, message=f"refused: {sentence}", rule="templates",
                              hint="check the template folder (a missing or emptied templates/ is the usual cause; "
                                   "`git status` shows it); if this is really meant, run again with --allow-empty")
                      for sentence in found])
