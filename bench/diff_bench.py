"""Wall time of `gitopsgen diff`, whole process, as CI runs it. Medians of several runs.

    .venv/bin/python bench/diff_bench.py [--runs 5]

A scratch git repository holds copies of environments/ and templates/ in two commits (the second
bumps prd's replicas and the image tag), so the checkout is never touched. Measured:
`diff --all --base HEAD~1` (each environment rendered at the ref and in the working tree), the
same with `--format markdown`, and `diff --all` (rendered/ on disk against a fresh render). Then,
in this process, where the time of one `--base` diff goes. The machine is shared and noisy:
compare medians measured in the same run, never single timings. Nothing here is asserted.
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
PINNED = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
          "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z", "GIT_COMMITTER_NAME": "bench",
          "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
          "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **PINNED}, check=True, capture_output=True)


def scratch_repo(work: Path) -> Path:
    repo = work / "repo"
    repo.mkdir()
    for name in ("environments", "templates"):
        shutil.copytree(ROOT / name, repo / name)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "inputs")
    prd, defaults = repo / "environments" / "prd.yaml", repo / "environments" / "defaults.yaml"
    prd.write_text(prd.read_text().replace("  replicas: 2\n", "  replicas: 3\n"))
    defaults.write_text(defaults.read_text().replace("example-api:1.8.3", "example-api:1.8.4"))
    git(repo, "commit", "-q", "-am", "bump")
    subprocess.run([str(GITOPSGEN), "render", "--all"], cwd=repo, check=True, capture_output=True)
    return repo


def measure(args: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """(median, min) wall seconds of `gitopsgen args`, whole process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([str(GITOPSGEN), *args], cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"gitopsgen {' '.join(args)} failed: {done.stderr.decode()}")
    return statistics.median(times), min(times)


def breakdown(repo: Path) -> list[tuple[str, float]]:
    """Where one `--base` diff spends its time, measured in a fresh interpreter."""
    code = """
import time, tempfile
from pathlib import Path
t0 = time.perf_counter()
from gitopsgen.diff import gitrefs, sides, engine, run
from gitopsgen.run.render import render_trees
t1 = time.perf_counter()
repo = gitrefs.open_repo(Path.cwd()); commit = gitrefs.resolve(repo, "HEAD~1")
with tempfile.TemporaryDirectory() as tmp:
    gitrefs.materialize(repo, commit, Path(tmp))
    t2 = time.perf_counter()
    old = sides.render_side(Path(tmp), ["dev", "prd"])
    t3 = time.perf_counter()
new = sides.render_side(Path.cwd(), ["dev", "prd"])
t4 = time.perf_counter()
diffs = [engine.compare_trees(env, old[env], new[env]) for env in ("dev", "prd")]
t5 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    parts = [float(x) for x in out.stdout.split()]
    labels = ["import gitopsgen.diff + pipeline", "git: resolve + materialize", "render at the ref (2 envs)",
              "render the working tree (2 envs)", "compare (2 envs)"]
    return list(zip(labels, parts, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        repo = scratch_repo(Path(tmp))
        cases = [
            ("diff --all --base HEAD~1", ["diff", "--all", "--base", "HEAD~1"]),
            ("diff --all --base HEAD~1 (markdown)", ["diff", "--all", "--base", "HEAD~1", "--format", "markdown"]),
            ("diff --all (rendered/ on disk)", ["diff", "--all"]),
            ("render --all --check", ["render", "--all", "--check"]),
            ("gitopsgen --help", ["--help"]),
        ]
        print(f"{'command':40} {'median':>8} {'min':>8}   ({runs} runs, whole process)")
        for label, args in cases:
            median, best = measure(args, repo, runs)
            print(f"{label:40} {median:8.3f} {best:8.3f}")
        print("\none --base diff, in a fresh interpreter:")
        for label, seconds in breakdown(repo):
            print(f"  {label:38} {seconds:8.3f}")


if __name__ == "__main__":
    main()
