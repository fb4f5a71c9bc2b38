"""Write a rendered tree to `rendered/<env>/` atomically, or compare it with what is there.

`rendered/<env>/` belongs to gitopsgen: after a write it holds exactly the rendered files, and a
file the render no longer produces is gone. The new tree is built in a temporary folder beside
the old one (`.<env>.new-XXXX`) and swapped in with one atomic exchange of the two folders
(Linux `renameat2(RENAME_EXCHANGE)`): an exception or a SIGKILL at any point leaves either the
old tree or the new one, complete, never a mix and never nothing. Where the exchange is not
available (other systems, some file systems) two renames do the swap; a run killed between them
leaves the old tree as `.<env>.old-XXXX`, which the next run puts back before anything else.

Leftovers of killed runs are cleaned by the next write. Callers hold the repository lock
(`gitopsgen.run.repolock`) around a write, so a leftover is never another run's work in progress.
"""

from __future__ import annotations

import ctypes
import enum
import errno
import functools
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitopsgen.facts.layout import output_path_problem
from gitopsgen.tree.manifests import RenderedTree


class Change(enum.Enum):
    ADDED = "added"
    MODIFIED = "modified"
    REMOVED = "removed"


@dataclass(frozen=True, order=True)
class FileChange:
    path: str
    change: Change


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<stage>new|old|gone)-[A-Za-z0-9_]+")
"""`.new-`: a tree being staged; `.old-`: the previous tree during a fallback swap (complete until
the swap is done); `.gone-`: a tree being removed (possibly half deleted: never put back)."""


def _checkpoint(point: str) -> None:
    """Does nothing. Tests replace it to inject a failure (an exception, a SIGKILL) at `point`:
    `file` after each staged file, `staged` before the swap, `retired` between the two renames
    of the fallback swap, `swapped` after the swap, `removing` while a tree is being removed."""


def read_tree(directory: Path) -> dict[str, bytes]:
    """Every regular file under `directory` (posix relative path -> bytes); empty if absent."""
    if not directory.is_dir():
        return {}
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(directory).as_posix()] = path.read_bytes()
    return out


def compare(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[FileChange]:
    """What differs on disk (`actual`) from the render (`expected`), per file."""
    changes = []
    for path in sorted(expected.keys() | actual.keys()):
        if path not in actual:
            changes.append(FileChange(path, Change.ADDED))
        elif path not in expected:
            changes.append(FileChange(path, Change.REMOVED))
        elif expected[path] != actual[path]:
            changes.append(FileChange(path, Change.MODIFIED))
    return changes


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Any = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths. False when the system or file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path)


def clean_leftovers(parent: Path) -> None:
    """Remove the staging and retired folders of killed runs in `parent` (rendered/); a tree that
    a killed fallback swap left retired, with nothing in its place, is put back."""
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        match = _LEFTOVER.fullmatch(entry.name)
        if match is None:
            continue
        target = parent / match.group("name")
        if match.group("stage") == "old" and not target.exists() and not target.is_symlink():
            os.rename(entry, target)
        else:
            _remove(entry)


def _as_target(exc: OSError, staging: Path, target: Path) -> OSError:
    filename = os.fsdecode(exc.filename) if exc.filename is not None else None
    if filename is None or not filename.startswith(str(staging)):
        return exc
    return type(exc)(exc.errno, exc.strerror, str(target) + filename[len(str(staging)):])


def unsafe_paths(tree: RenderedTree) -> list[str]:
    return [f"{path}: {why}" for path in tree.files if (why := output_path_problem(path)) is not None]


def write_tree(tree: RenderedTree, target: Path, changes: list[FileChange] | None = None) -> list[FileChange]:
    """Make `target` hold exactly `tree`. Returns what changed; touches nothing if nothing did.
    `changes`, when the caller already compared the tree with the disk, saves reading it again."""
    staged = stage_tree(tree, target, changes)
    if staged is None:
        return []
    staged.swap()
    return staged.changes


@dataclass
class Staged:
    """A new tree written in full beside `target` (`.<env>.new-XXXX`), waiting to be swapped in.

    A run stages every environment's tree first and swaps them in only when none is invalid
    (`pipeline`); `discard` removes a staged tree that will not be used."""

    target: Path
    staging: Path
    changes: list[FileChange]

    def swap(self) -> None:
        """Exchange the staged tree with `target` atomically (or rename it into place)."""
        target, staging = self.target, self.staging
        retired = target.parent / f".{target.name}.old-{staging.name.rsplit('-', 1)[-1]}"
        try:
            _checkpoint("staged")
            if not target.exists():
                os.rename(staging, target)
            elif not exchange(staging, target):
                os.rename(target, retired)
                try:
                    _checkpoint("retired")
                    os.rename(staging, target)
                except BaseException:
                    os.rename(retired, target)
                    raise
            _checkpoint("swapped")
        except OSError as exc:  # name the path the user knows, not the temporary one
            raise _as_target(exc, staging, target) from exc
        finally:
            for leftover in (staging, retired):
                if leftover.exists() and leftover != target:
                    shutil.rmtree(leftover, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _linked(existing: Path, dest: Path) -> bool:
    """Hard-link a file the render leaves unchanged into the staged tree: it is not written again
    (same inode, same modification time), and the swap still exchanges whole folders. False when
    the file system refuses (the caller writes it)."""
    try:
        info = existing.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:  # a file linked elsewhere too is written anew
            return False
        os.link(existing, dest)
        os.chmod(dest, 0o644)
        return True
    except OSError:
        return False


def stage_tree(tree: RenderedTree, target: Path, changes: list[FileChange] | None = None,
               *, clean: bool = True, keep: dict[str, bytes] | None = None) -> Staged | None:
    """Write `tree` in full into a new folder beside `target` (files it leaves unchanged are hard
    links to the ones in `target`), or None when `target` already holds exactly `tree`. `clean`:
    first remove what killed runs left in `target`'s parent (a run does it once, before its first
    environment). `keep`: files of `target` the tree does not hold that stay (hand-made ones)."""
    bad = unsafe_paths(tree)
    if bad:  # the renderer refuses these; never write outside `target` whoever built the tree
        raise ValueError(f"refusing to write outside {target}: {'; '.join(bad)}")
    expected = {**(keep or {}), **tree.bytes_by_path()}
    if clean:
        clean_leftovers(target.parent)
    if changes is None:
        changes = compare(expected, read_tree(target))
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder gitopsgen can replace", str(target))
    if not changes and target.is_dir():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:  # name the folder the user knows, not a temporary name
        raise OSError(exc.errno, exc.strerror, str(target.parent)) from exc
    changed = {c.path for c in changes}
    try:
        made = {""}  # folders of the tree, relative to it
        for rel, data in expected.items():
            folder = rel.rpartition("/")[0]
            if folder not in made:
                os.makedirs(staging / folder, exist_ok=True)
                parts = folder.split("/")
                made.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
            dest = staging / rel
            if rel not in changed and not _linked(target / rel, dest):
                changed.add(rel)
            if rel in changed:
                with open(dest, "wb") as handle:
                    handle.write(data)
                os.chmod(dest, 0o644)
            _checkpoint("file")
        for folder in made:
            os.chmod(staging / folder if folder else staging, 0o755)
    except OSError as exc:  # name the path the user knows, not the temporary one
        shutil.rmtree(staging, ignore_errors=True)
        raise _as_target(exc, staging, target) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Staged(target, staging, changes)


def remove_tree(target: Path) -> None:
    """Remove a rendered tree: renamed out of the way first, so it never lingers half-deleted."""
    retired = target.parent / f".{target.name}.gone-{os.getpid()}"
    os.rename(target, retired)
    _checkpoint("removing")
    shutil.rmtree(retired)
