"""Where a run spends its time, on request: `GITOPSGEN_TIMINGS=1` (or `--timings` on render and
validate) prints to stderr, per environment, the seconds of each phase (load the spec, render,
validate, compare with the disk and stage), and once per process its start-up (from the process's
start to the command's first phase: the interpreter and the imports) and its total.

Off (the default), `phase` costs one dictionary lookup and prints nothing. Worker processes
(`--jobs`) print their own environments' lines; the start-up line is the main process's.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "GITOPSGEN_TIMINGS"

_phases: dict[str, dict[str, float]] = {}
_order: list[str] = []
_started: float | None = None
"""`time.time()` when the process started (read once, when timing is first asked for)."""
_first: float | None = None


def enabled() -> bool:
    return os.environ.get(VARIABLE, "") not in ("", "0")


def enable() -> None:
    """Turn timings on for this process and the worker processes it starts (`--timings`)."""
    os.environ[VARIABLE] = "1"


def _process_start() -> float | None:
    """The wall-clock time the process started (Linux: /proc), else None."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            ticks = int(fh.read().rsplit(b")", 1)[1].split()[19])  # field 22: starttime
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")


def _begin() -> None:
    global _started, _first  # noqa: PLW0603 - one timeline per process
    if _first is None:
        _first = time.time()
        _started = _process_start()
        atexit.register(_report_process)


@contextmanager
def phase(env: str, name: str) -> Iterator[None]:
    """Time the block as phase `name` of environment `env` (added up if entered again)."""
    if not enabled():
        yield
        return
    _begin()
    start = time.perf_counter()
    try:
        yield
    finally:
        spent = time.perf_counter() - start
        if env not in _phases:
            _phases[env] = {}
            _order.append(env)
        _phases[env][name] = _phases[env].get(name, 0.0) + spent


def mark() -> None:
    """The command's work starts here: what came before is start-up."""
    if enabled():
        _begin()


def done(env: str) -> None:
    """Print `env`'s phases (once it is finished)."""
    phases = _phases.pop(env, None)
    if phases is None or not enabled():
        return
    parts = " ".join(f"{name} {seconds * 1000:.1f}ms" for name, seconds in phases.items())
    print(f"timings: {env}: {parts} (total {sum(phases.values()) * 1000:.1f}ms)", file=sys.stderr, flush=True)


def _report_process() -> None:
    if _first is None or os.getpid() != _pid or not enabled():
        return
    now = time.time()
    startup = f"start-up {(_first - _started) * 1000:.1f}ms, " if _started is not None else ""
    cpu = os.times()
    print(f"timings: process: {startup}total {(now - (_started or _first)) * 1000:.1f}ms "
          f"(user {cpu.user:.2f}s, system {cpu.system:.2f}s)", file=sys.stderr, flush=True)


_pid = os.getpid()
"""The process that imported this module: forked workers print no process line of their own."""
