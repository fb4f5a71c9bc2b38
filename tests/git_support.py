"""Real git repositories for tests, pre-commit style: a pinned author, committer and date, no user
or system configuration, so commits (and their ids) are the same on every machine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from kit import copy_examples

REPO_ROOT = Path(__file__).resolve().parent.parent

PINNED = {
    "GIT_AUTHOR_NAME": "Gitopsgen Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_AUTHOR_DATE": "2025-01-02T03:04:05+00:00",
    "GIT_COMMITTER_NAME": "Gitopsgen Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_COMMITTER_DATE": "2025-01-02T03:04:05+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **PINNED}, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def init_repo(repo: Path, *, subdir: str = "") -> Path:
    """A repository whose first commit (tagged `v0`) holds copies of this checkout's inputs.

    With `subdir`, the inputs live in that folder of the repository (a monorepo); returns the
    gitopsgen root either way."""
    root = repo / subdir if subdir else repo
    root.mkdir(parents=True, exist_ok=True)
    copy_examples(root)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "inputs", tag="v0")
    return root


def commit(repo: Path, message: str, *, tag: str | None = None) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    if tag:
        git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
