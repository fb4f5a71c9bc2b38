"""Wall time and peak memory of the CLI, as users run it. Medians of several runs.

    .venv/bin/python bench/cli_timings.py [--runs 7]

Each measured command runs in a fresh process against a scratch copy of environments/ and
templates/ (so rendered/ in the checkout is never touched). The machine is shared and noisy:
compare medians, and ratios measured in the same run, never single timings. Nothing here is
asserted; tests never time anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GITOPSGEN = Path(sys.executable).with_name("gitopsgen")


def measure(args: list[str], cwd: Path, runs: int, before: list[str] | None = None) -> tuple[float, float, int]:
    """(median seconds, min seconds, peak RSS in KiB) of `gitopsgen args` over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            subprocess.run([str(GITOPSGEN), *before], cwd=cwd, capture_output=True, check=False)
        start = time.perf_counter()
        proc = subprocess.Popen([str(GITOPSGEN), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"gitopsgen {' '.join(args)} failed")
    return statistics.median(times), min(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("environments", "templates"):
            shutil.copytree(ROOT / name, work / name)
        cases = [
            ("gitopsgen --help", ["--help"], None),
            ("render --all (fresh tree)", ["render", "--all"], None),
            ("render --all (up to date)", ["render", "--all"], ["render", "--all"]),
            ("render --all --check", ["render", "--all", "--check"], ["render", "--all"]),
        ]
        print(f"{'command':32} {'median':>8} {'min':>8} {'peak RSS':>10}   ({runs} runs)")
        for label, args, before in cases:
            if label.endswith("(fresh tree)"):
                median, best, peak = _fresh(args, work, runs)
            else:
                median, best, peak = measure(args, work, runs, before)
            print(f"{label:32} {median:8.3f} {best:8.3f} {peak / 1024:9.1f}M")


def _fresh(args: list[str], work: Path, runs: int) -> tuple[float, float, int]:
    results = []
    for _ in range(runs):
        shutil.rmtree(work / "rendered", ignore_errors=True)
        results.append(measure(args, work, 1))
    return (statistics.median(r[0] for r in results), min(r[1] for r in results), max(r[2] for r in results))


if __name__ == "__main__":
    main()
