"""Where the user stands: the repository root, and what an environment argument names.

* The root is `--root` when given, else the first folder from the working directory upwards that
  holds `gitopsgen.toml`, or both `environments/` and `templates/` (so the tool works from inside
  `environments/` or `templates/apps/`, like git does from a subfolder).
* An environment argument is a name (`prd`) or a path to its spec file (`environments/prd.yaml`,
  `./prd.yaml` from inside environments/, an absolute path), which is how pre-commit, shell
  completion and editors pass it. A path to `environments/defaults.yaml` means every environment,
  since they all inherit from it. `.yml` files are refused with a rename hint, never skipped; an
  unknown name gets a did-you-mean.

Problems show paths relative to the repository root, like every other gitopsgen message.
"""

from __future__ import annotations

import os
from pathlib import Path

from gitopsgen.core.errors import UsageError
from gitopsgen.core.problems import Problem
from gitopsgen.facts.layout import ENVIRONMENTS, TEMPLATES

CONFIG_FILE = "gitopsgen.toml"


def is_root(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() or ((folder / ENVIRONMENTS).is_dir() and (folder / TEMPLATES).is_dir())


def find_root(start: Path, arguments: tuple[str, ...] = ()) -> Path:
    """The repository root at or above `start`, else above the first spec file path among
    `arguments` (`gitopsgen render /repo/environments/prd.yaml` from anywhere). Raises UsageError."""
    start = start.absolute()
    candidates = [start] + [(start / arg).parent for arg in arguments if _looks_like_path(arg)]
    for candidate in candidates:
        for folder in (candidate, *candidate.parents):
            if is_root(folder):
                return folder
    raise UsageError(Problem(str(start), message="not inside a gitopsgen repository", rule="usage",
                             hint=f"looked for {CONFIG_FILE}, or {ENVIRONMENTS}/ and {TEMPLATES}/, here and in "
                                  "every folder above; run inside the repository or pass --root DIR"))


def check_root(root: Path) -> None:
    """A root given with --root must be a folder holding environments/. Raises UsageError."""
    if not root.is_dir():
        raise UsageError(Problem(str(root), message="--root is not a folder", rule="usage"))
    if not (root / ENVIRONMENTS).is_dir():
        what = "is not a folder" if (root / ENVIRONMENTS).exists() else "not found"
        raise UsageError(Problem(ENVIRONMENTS, message=f"environments folder {what}", rule="usage",
                                 hint=f"the repository root is {root}; create {ENVIRONMENTS}/<env>.yaml there, "
                                      "or pass the right one with --root DIR"))


def _looks_like_path(arg: str) -> bool:
    from gitopsgen.spec.loader import REFUSED_SUFFIX, SUFFIX

    return "/" in arg or os.sep in arg or arg.endswith((SUFFIX, REFUSED_SUFFIX))


def environment_argument(root: Path, arg: str, cwd: Path | None = None) -> list[str]:
    """The environment(s) an argument names. Raises UsageError with a located problem."""
    from gitopsgen.spec.loader import (
        DEFAULTS_NAME,
        REFUSED_SUFFIX,
        SUFFIX,
        check_environment,
        list_environments,
        refused_file_problem,
    )

    if not _looks_like_path(arg):
        check_environment(root, arg)
        return [arg]
    path = Path(arg) if os.path.isabs(arg) else (cwd or Path.cwd()) / arg
    directory = root / ENVIRONMENTS
    if os.path.realpath(path.parent) != os.path.realpath(directory):
        known = ", ".join(list_environments(root)) or "none yet"
        raise UsageError(Problem(arg, message=f"is not a spec file in {directory}", rule="usage",
                                 hint=f"name an environment ({known}) or its file {ENVIRONMENTS}/<env>{SUFFIX}"))
    if path.suffix == REFUSED_SUFFIX:
        raise UsageError(refused_file_problem(directory / path.name, root))
    if path.suffix != SUFFIX:
        raise UsageError(Problem(f"{ENVIRONMENTS}/{path.name}", message=f"is not a {SUFFIX} spec file",
                                 rule="usage"))
    if path.stem == DEFAULTS_NAME:  # every environment inherits it
        return list_environments(root)
    check_environment(root, path.stem)
    return [path.stem]
