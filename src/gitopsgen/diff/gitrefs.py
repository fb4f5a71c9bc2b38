"""Read the inputs of a render as of a git ref, with plumbing only.

`materialize(root, ref, dest)` writes `environments/`, `templates/` (and `gitopsgen.toml` and
`schemas/` when the ref has them) of the commit `ref` names into `dest`, through `git rev-parse`,
`git ls-tree` and `git cat-file --batch`. Nothing here writes to the repository: no checkout, no
index, no stash, no lock (`GIT_OPTIONAL_LOCKS=0`), so it is safe while the user works or while a
pre-commit hook runs. `root` may be a subfolder of the repository (a monorepo): paths are taken
relative to it at the ref too.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gitopsgen.core.errors import GitError
from gitopsgen.core.problems import Problem
from gitopsgen.facts.layout import ENVIRONMENTS, RENDERED, TEMPLATES

INPUTS = (ENVIRONMENTS, TEMPLATES, "schemas", "gitopsgen.toml", RENDERED)
"""What a ref provides: the render inputs, and the committed rendered/ (the fallback for a ref whose
specs this version of gitopsgen cannot load)."""
_SYMLINK, _GITLINK = "120000", "160000"


@dataclass(frozen=True)
class Repo:
    root: Path
    """The gitopsgen root (where environments/ lives) inside the work tree."""
    prefix: str
    """`root` relative to the top of the work tree, with a trailing slash ("" at the top)."""


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, env=env, check=False)
    except FileNotFoundError as exc:
        raise GitError(Problem("git", message="git is not installed (needed by --base and --head)",
                               rule="git")) from exc
    if done.returncode != 0:
        raise _Failed(done.stderr.decode(errors="replace").strip())
    return done.stdout


class _Failed(Exception):
    pass


def open_repo(root: Path) -> Repo:
    try:
        prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    except _Failed as exc:
        raise GitError(Problem(str(root), message="is not inside a git repository", rule="git",
                               hint=f"--base and --head read git history ({_message(exc)}); without "
                                    "--base, diff compares rendered/ with a fresh render")) from exc
    return Repo(root, prefix)


def resolve(repo: Repo, ref: str) -> str:
    """The commit id `ref` names. Raises GitError naming the ref."""
    if not ref or ref.startswith("-"):
        raise GitError(Problem("git", message=f"not a valid git ref: {ref!r}", rule="git"))
    try:
        return _git(repo.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except _Failed as exc:
        raise GitError(Problem("git", message=f"unknown git ref {ref!r}: no commit by that name in {repo.root}",
                               rule="git", hint=_unknown_ref_hint(repo.root))) from exc


def _unknown_ref_hint(root: Path) -> str:
    """Which branches exist (a fresh `git init` may name the first one master, not main), and,
    for CI, that a shallow checkout lacks the base branch."""
    try:
        names = _git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes").decode().split()
    except _Failed:
        names = []
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    branches = f"the branches here: {shown}" if names else "this repository has no branch yet (commit first)"
    return (f"{branches}; `git init -b main` names the first branch main (older git calls it master); in CI, "
            "fetch the base branch first (actions/checkout with fetch-depth: 0)")


def materialize(repo: Repo, commit: str, dest: Path) -> list[str]:
    """Write the render inputs of `commit` under `dest`; return the paths written (relative)."""
    paths = [repo.prefix + name for name in INPUTS]
    try:
        listing = _git(repo.root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    except _Failed as exc:
        raise GitError(Problem("git", message=f"cannot list {commit[:12]}: {_message(exc)}", rule="git")) from exc
    blobs: list[tuple[str, str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, oid = meta.decode().split(" ")
        path = name.decode("utf-8", errors="surrogateescape")
        if kind == "blob" and mode != _GITLINK and path.startswith(repo.prefix):
            blobs.append((mode, oid, path[len(repo.prefix):]))
    contents = _cat(repo, [oid for _, oid, _ in blobs])
    written = []
    for mode, oid, rel in blobs:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == _SYMLINK:
            os.symlink(contents[oid].decode("utf-8", errors="surrogateescape"), target)
        else:
            target.write_bytes(contents[oid])
        written.append(rel)
    return written


def _cat(repo: Repo, oids: list[str]) -> dict[str, bytes]:
    """Contents of blobs by id, through one `git cat-file --batch`."""
    if not oids:
        return {}
    unique = list(dict.fromkeys(oids))
    try:
        out = _git(repo.root, "cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in unique).encode())
    except _Failed as exc:
        raise GitError(Problem("git", message=f"cannot read objects: {_message(exc)}", rule="git")) from exc
    contents: dict[str, bytes] = {}
    pos = 0
    for oid in unique:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].decode().split(" ")
        if len(header) != 3:
            raise GitError(Problem("git", message=f"cannot read object {oid}: {' '.join(header)}", rule="git"))
        size = int(header[2])
        start = header_end + 1
        contents[oid] = out[start:start + size]
        pos = start + size + 1  # the content is followed by a newline
    return contents


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else "git failed"
