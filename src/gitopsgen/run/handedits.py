"""Hand edits in rendered/, judged as files: `render --check` says a file differs from the render,
and this says what is wrong with it as it is on disk (its schema, admission and rule findings,
validated the way `validate --path` does), so an edit made by hand is reported as what it breaks,
not only as drift. The findings are notes about the stale file: the drift itself is what fails.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gitopsgen.core.problems import Problem
from gitopsgen.facts.layout import RENDERED
from gitopsgen.run.results import RenderResult

MANIFEST_SUFFIXES = (".yaml", ".yml")


def edited_files(root: Path, result: RenderResult) -> list[Path]:
    """The files of rendered/ that differ from the render and exist on disk, as manifests."""
    if not result.check or result.target != RENDERED:
        return []
    return [root / RENDERED / env.env / path for env in result.envs if not env.invalid
            for path in sorted(env.stale) if path.endswith(MANIFEST_SUFFIXES)]


def hand_edit_problems(root: Path, result: RenderResult, **settings: object) -> list[Problem]:
    """What `validate --path` finds in the edited files, each message saying the file is hand-edited."""
    files = edited_files(root, result)
    if not files:
        return []
    from gitopsgen.run import validate as validation

    options = validation.ValidateOptions(root=root, paths=tuple(files), **settings)  # type: ignore[arg-type]
    found = validation.validate(options).problems
    return [replace(p, file=_from_root(root, p.file), message=f"as edited by hand: {p.message}") for p in found]


def _from_root(root: Path, file: str) -> str:
    """Files named from the repository root, as the rest of the check names them."""
    path = Path(file)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file
