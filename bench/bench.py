"""gitopsgen at scale: N generated environments, whole processes, medians, peak memory; and the
Kapitan peer kit at N = 100 in the same run. Not a test: nothing is asserted.

    make bench                                   # N = 1, 10, 100, 1000; 5 runs each
    .venv/bin/python bench/bench.py --sizes 1,10,100 --runs 3 --no-peer

For each N a repository is generated on tmpfs (/dev/shm when present, so disk noise stays out):
this checkout's templates/, environments/defaults.yaml and N environments made from the dev and
prd examples (alternately) with every value that must be unique per environment varied (names,
namespaces, hostnames, tunnel ids, DNS owner ids, Doppler configs). Then, as separate processes:

* `render --all` into an empty rendered/ (the tree is removed between runs, outside the timing);
* `validate --all` (spec, in-memory render, every validation layer);
* `render --all --check` on the written tree;
* `diff --all --base HEAD` with one environment's spec changed in the working tree.

Printed per N and command: median wall seconds of `--runs` runs, per environment, documents per
second, and the largest peak RSS. The machine is shared and noisy: compare ratios measured in the
same run. The peer kit (`../shared/bench/kapitan-peer`) is copied to a scratch folder, Kapitan is
installed once into bench-out/peer-venv, and its compile of 100 targets is timed beside ours.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GITOPSGEN = Path(sys.executable).with_name("gitopsgen")
PEER_KIT = ROOT.parent / "shared" / "bench" / "kapitan-peer"
BENCH_OUT = ROOT / "bench-out"
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


@dataclass
class Sample:
    median: float
    peak_kib: int


def run_process(args: list[str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS KiB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({code}):\n{err.decode()[-2000:]}")
    return seconds, usage.ru_maxrss, code


def measure(args: list[str], cwd: Path, runs: int, before: list[list[str]] | None = None) -> Sample:
    times, peaks = [], []
    for _ in range(runs):
        for step in before or []:
            subprocess.run(step, cwd=cwd, capture_output=True, check=False)
        seconds, peak, _ = run_process(args, cwd)
        times.append(seconds)
        peaks.append(peak)
    return Sample(statistics.median(times), max(peaks))


# --- generated repositories ----------------------------------------------------------------


def _vary(text: str, kind: str, name: str, index: int) -> str:
    """An example spec made unique for environment `name`: every value two environments must
    not share (cross-environment rules) is derived from the name."""
    tunnel = str(uuid.UUID(int=index + 1, version=4))
    text = text.replace(f"example-{kind}", f"example-{name}")  # namespace, txtOwnerId, Auth0 tenant
    text = text.replace("example-api-dev", f"example-api-{name}")  # tailnet hostname
    text = text.replace("api.example.com", f"{name}.example.com")
    text = re.sub(r"tunnelId: [0-9a-f-]{36}", f"tunnelId: {tunnel}", text)
    text = re.sub(rf"(destination:\n\s+name:) {kind}\b", rf"\1 {name}", text)  # each its own cluster
    return re.sub(rf"config: {kind}\b", f"config: {name}", text)


def generate(base: Path, n: int) -> Path:
    root = base / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "environments").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", root / "templates")
    for extra in ("gitopsgen.toml",):
        if (ROOT / extra).is_file():
            shutil.copy(ROOT / extra, root / extra)
    examples = ROOT / "environments"
    for path in examples.iterdir():
        if (path.suffix != ".yaml" or path.stem == "defaults") and path.is_file():
            shutil.copy(path, root / "environments" / path.name)
    sources = {kind: (examples / f"{kind}.yaml").read_text() for kind in ("dev", "prd")}
    for i in range(n):
        kind = ("prd", "dev")[i % 2]
        name = f"{kind}{i:04d}"
        (root / "environments" / f"{name}.yaml").write_text(_vary(sources[kind], kind, name, i))
    env = {**os.environ, **GIT_ENV}
    for step in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "generated"]):
        subprocess.run(["git", *step], cwd=root, env=env, check=True)
    return root


def documents(root: Path) -> int:
    import json

    out = subprocess.run([str(GITOPSGEN), "validate", "--all", "--format", "json"], cwd=root,
                         capture_output=True, text=True, check=False)
    return int(json.loads(out.stdout)["summary"]["documents"])


def bench_size(base: Path, n: int, runs: int) -> list[tuple[str, Sample, int]]:
    root = generate(base, n)
    g = str(GITOPSGEN)
    results: list[tuple[str, Sample, int]] = []
    clear = ["rm", "-rf", str(root / "rendered")]
    results.append(("render", measure([g, "render", "--all"], root, runs, before=[clear]), 0))
    subprocess.run([g, "render", "--all"], cwd=root, capture_output=True, check=True)
    docs = documents(root)
    results.append(("validate", measure([g, "validate", "--all"], root, runs), 0))
    results.append(("render --check", measure([g, "render", "--all", "--check"], root, runs), 0))
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "add", "-A"], cwd=root, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "rendered"], cwd=root, env=env, check=True)
    first = sorted((root / "environments").glob("prd*.yaml"))[0]
    first.write_text(first.read_text().replace("replicas: 2", "replicas: 3", 1))
    results.append(("diff --base", measure([g, "diff", "--all", "--base", "HEAD"], root, runs), 0))
    return [(name, sample, docs) for name, sample, _ in results]


# --- the peer kit ----------------------------------------------------------------------------


def peer(base: Path, runs: int) -> tuple[Sample, Sample, int] | None:
    """(kapitan compile, floor script, files per run) for 100 targets, or None without the kit."""
    if not PEER_KIT.is_dir():
        print(f"peer kit not found at {PEER_KIT}: skipping the Kapitan comparison", file=sys.stderr)
        return None
    venv = BENCH_OUT / "peer-venv"
    if not (venv / "bin" / "kapitan").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "kapitan", "pyyaml", "ruamel.yaml",
                        "jinja2"], check=True)
    kit = base / "kapitan-peer"
    shutil.rmtree(kit, ignore_errors=True)
    shutil.copytree(PEER_KIT, kit)
    py = str(venv / "bin" / "python")
    subprocess.run([py, "gen.py", "peer-out", "100"], cwd=kit, check=True, capture_output=True)
    compiled = kit / "peer-out" / "kapitan" / "compiled"
    kapitan = measure([str(venv / "bin" / "kapitan"), "compile"], kit / "peer-out" / "kapitan", runs,
                      before=[["rm", "-rf", str(compiled)]])
    files = sum(1 for p in compiled.rglob("*") if p.is_file())
    floor_out = kit / "peer-out" / "floor-out"
    floor = measure([py, "floor_render.py", "peer-out/specs", "templates", str(floor_out)], kit, runs,
                    before=[["rm", "-rf", str(floor_out)]])
    return kapitan, floor, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true", help="skip the Kapitan comparison")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    scratch = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="gitopsgen-bench-", dir=scratch) as tmp:
        base = Path(tmp)
        print(f"gitopsgen bench: {os.cpu_count()} cores, runs={args.runs}, scratch={base}")
        print(f"{'N':>5} {'command':<15} {'median s':>9} {'s/env':>8} {'docs/s':>9} {'peak MiB':>9}")
        per_file: dict[int, float] = {}
        for n in sizes:
            rows = bench_size(base, n, args.runs)
            files = sum(1 for p in (base / f"n{n}" / "rendered").rglob("*") if p.is_file())
            for name, sample, docs in rows:
                print(f"{n:>5} {name:<15} {sample.median:>9.3f} {sample.median / n:>8.4f} "
                      f"{docs / sample.median:>9.0f} {sample.peak_kib / 1024:>9.1f}")
                if name == "render":
                    per_file[n] = sample.median / files
            sys.stdout.flush()
        if not args.no_peer:
            found = peer(base, args.runs)
            if found is not None:
                kapitan, floor, files = found
                print(f"peer (100 targets, {files} files): kapitan compile {kapitan.median:.3f} s "
                      f"({kapitan.median / files * 1000:.2f} ms/file), floor script {floor.median:.3f} s "
                      f"({floor.median / files * 1000:.2f} ms/file)")
                if 100 in per_file:
                    ours = per_file[100]
                    print(f"render+validate per file at N=100: {ours * 1000:.2f} ms; "
                          f"kapitan/ours = {kapitan.median / files / ours:.1f}x; "
                          f"ours/floor = {ours / (floor.median / files):.2f}x")


if __name__ == "__main__":
    main()
