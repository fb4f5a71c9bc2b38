"""Write a rendered tree to `rendered/<env>/` atomically, or compare it with what is there.

`rendered/<env>/` belongs to gitopsgen: after a write it holds exactly the rendered files, and a
file the render no longer produces is gone. The new tree is built in a temporary directory beside
the old one and swapped in with two renames, so a failure at any point before the swap leaves the
old tree byte-identical, and readers never see a half-written tree.
"""

from __future__ import annotations

import enum
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gitopsgen.manifests import RenderedTree


class Change(enum.Enum):
    ADDED = "added"
    MODIFIED = "modified"
    REMOVED = "removed"


@dataclass(frozen=True, order=True)
class FileChange:
    path: str
    change: Change


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


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file via a temporary file in the same directory and `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree(tree: RenderedTree, target: Path, changes: list[FileChange] | None = None) -> list[FileChange]:
    """Make `target` hold exactly `tree`. Returns what changed; touches nothing if nothing did.
    `changes`, when the caller already compared the tree with the disk, saves reading it again."""
    expected = tree.bytes_by_path()
    if changes is None:
        changes = compare(expected, read_tree(target))
    if not changes and target.is_dir():
        return []
    target.parent.mkdir(parents=True, exist_ok=True)
    for stage in ("new", "old"):  # left behind by a run that was killed mid-swap
        for leftover in target.parent.glob(f".{target.name}.{stage}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    retired = target.parent / f".{target.name}.old-{staging.name.rsplit('-', 1)[-1]}"
    try:
        for rel, data in expected.items():
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            os.chmod(dest, 0o644)
        for directory in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            os.chmod(directory, 0o755)
        if target.exists():
            os.rename(target, retired)
        try:
            os.rename(staging, target)
        except BaseException:
            if retired.exists():
                os.rename(retired, target)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return changes


def remove_tree(target: Path) -> None:
    """Remove a rendered tree: renamed out of the way first, so it never lingers half-deleted."""
    retired = target.parent / f".{target.name}.old-{os.getpid()}"
    os.rename(target, retired)
    shutil.rmtree(retired)
