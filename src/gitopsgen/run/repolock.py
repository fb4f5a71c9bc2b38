"""One run at a time per repository: `render` holds an exclusive lock, `render --check` a shared one.

The lock is `flock(2)` on the repository root folder itself, so it creates no file (nothing to
commit, ignore or clean up after a crash: the kernel releases it when the process ends, SIGKILL
included). A second run waits for the first, saying so on stderr, up to `GITOPSGEN_LOCK_TIMEOUT`
seconds (default 60; 0 fails at once), then fails with a clear message (exit 2). Two renders of
the same repository are therefore serialised, never interleaved: each reads the specs and writes
rendered/ while the other waits. On systems without `fcntl` (Windows) runs are not serialised.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gitopsgen.core.errors import GitopsgenError
from gitopsgen.core.problems import Problem

DEFAULT_TIMEOUT = 60.0
_POLL = 0.1


class LockBusy(GitopsgenError):
    """Another gitopsgen run holds the repository lock for longer than we wait."""

    rule = "lock"


def default_timeout() -> float:
    raw = os.environ.get("GITOPSGEN_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


@contextmanager
def repository_lock(root: Path, *, exclusive: bool, timeout: float | None = None,
                    on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of the repository at `root` for the duration of the block."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        limit = default_timeout() if timeout is None else timeout
        deadline = time.monotonic() + limit
        waited = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(Problem(
                        str(root), message=f"another gitopsgen run is using this repository "
                        f"(waited {limit:g} s for it)", rule="lock",
                        hint="wait for it to finish, or raise GITOPSGEN_LOCK_TIMEOUT")) from None
                if not waited and on_wait is not None:
                    on_wait(f"gitopsgen: waiting for another gitopsgen run on {root} to finish")
                waited = True
                time.sleep(_POLL)
        yield
    finally:
        os.close(fd)
