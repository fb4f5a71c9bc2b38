"""gitopsgen at scale: N generated environments, whole processes, medians, peak memory; and the
Kapitan peer kit at N = 100 in the same run. Not a test: nothing is asserted.

    make bench                                   # N = 1, 10, 100, 1000; 5 runs each
    make bench BENCH_ARGS="--sizes 1,10 --runs 3"  # a short run
    .venv/bin/python bench/bench.py --sizes 1,10,100 --runs 3 --no-peer
    .venv/bin/python bench/bench.py --sizes 1000 --runs 5 --no-peer --no-extras   # one size alone

For each N a repository is generated on tmpfs (/dev/shm when present, so disk noise stays out):
this checkout's templates/, environments/defaults.yaml and N environments made from the dev and
prd examples (alternately) with every value that must be unique per environment varied (names,
namespaces, hostnames, clusters, tunnel ids, DNS owner ids, Doppler configs). Then, as separate
processes (the compiled-template cache warmed once, as on a developer's machine or in a cached CI):

* `render --all -j 1` into an empty rendered/ (removed between runs, outside the timing); and
  `render --all -j 2` (parallel processes) where the machine has 2 CPUs or more;
* `validate --all -j 1` (spec, in-memory render, every validation layer);
* `render --all --check -j 1` on the written tree;
* `diff --all --base HEAD` with one environment's spec changed in the working tree;
* the result cache: `validate`, `render --check` and `render` again with nothing changed (`=`)
  and with one spec changed before each run (`1chg`); the rows above run with `--no-cache`.

Printed per N and command: median wall seconds of `--runs` runs, per environment, documents per
second, and the largest peak RSS. Then (unless --no-extras): where `--jobs 2` starts to pay (render
of 1..32 environments, -j 1 against -j 2), `gitopsgen --help` against `python -c "import typer"`,
`diff --all --base` of the two example environments, and the pre-commit case (`validate prd`
and `render prd --check` served from the result cache, CPU seconds, against `import typer`). The
result cache lives in the scratch folder: each bench run starts cold. The peer kit (`../shared/bench/kapitan-peer`)
is copied to a scratch folder, Kapitan installed once into bench-out/peer-venv from PyPI, and its
compile of 100 targets timed beside ours, with the floor script (render + write only) as the bound.
The machine is shared and noisy: compare ratios measured in the same run. Processes run with
bytecode (PYTHONDONTWRITEBYTECODE is dropped, src/ compiled once), as installed tools do.
"""

from __future__ import annotations

import argparse
import os
import platform
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
    """(wall seconds, peak RSS KiB, exit code) of one process (its waited-for children included)."""
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


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cpus} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}"


# --- generated repositories ----------------------------------------------------------------


def _vary(text: str, kind: str, name: str, index: int) -> str:
    """An example spec made unique for environment `name`: every value two environments must
    not share (cross-environment rules) is derived from the name."""
    tunnel = str(uuid.UUID(int=index + 1, version=4))
    text = text.replace(f"example-{kind}", f"example-{name}")  # namespace, txtOwnerId, Auth0 tenant
    text = text.replace("example-api-dev", f"example-api-{name}")  # tailnet hostname
    text = text.replace("api.example.com", f"{name}.example.com")
    text = re.sub(r"tunnelId: [0-9a-f-]{36}", f"tunnelId: {tunnel}", text)
    text = re.sub(rf"(destination:[ \t]*\n[ \t]+name:[ \t]*){kind}\b", rf"\g<1>{name}", text)  # a cluster each
    return re.sub(rf"config: {kind}\b", f"config: {name}", text)


def generate(base: Path, n: int, name: str | None = None) -> Path:
    root = base / (name or f"n{n}")
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
        env = f"{kind}{i:04d}"
        (root / "environments" / f"{env}.yaml").write_text(_vary(sources[kind], kind, env, i))
    _git_commit(root, "generated", init=True)
    return root


def _git_commit(root: Path, message: str, *, init: bool = False) -> None:
    env = {**os.environ, **GIT_ENV}
    steps = [["init", "-q", "-b", "main"]] if init else []
    for step in (*steps, ["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *step], cwd=root, env=env, check=True, capture_output=True)


def documents(root: Path) -> int:
    import json

    out = subprocess.run([str(GITOPSGEN), "validate", "--all", "--format", "json"], cwd=root,
                         capture_output=True, text=True, check=False)
    return int(json.loads(out.stdout)["summary"]["documents"])


def bench_size(base: Path, n: int, runs: int) -> tuple[list[tuple[str, Sample]], int, int]:
    """Rows (command, sample), documents and files of N generated environments."""
    root = generate(base, n)
    g = str(GITOPSGEN)
    rows: list[tuple[str, Sample]] = []
    clear = ["rm", "-rf", str(root / "rendered")]
    subprocess.run([g, "render", "--all", "--check"], cwd=root, capture_output=True, check=False)  # warm the caches
    rows.append(("render", measure([g, "render", "--all", "-j", "1"], root, runs, before=[clear])))
    if (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1) >= 2 and n >= 2:
        rows.append(("render -j2", measure([g, "render", "--all", "-j", "2"], root, runs, before=[clear])))
    subprocess.run([g, "render", "--all"], cwd=root, capture_output=True, check=True)
    files = sum(1 for p in (root / "rendered").rglob("*") if p.is_file())
    docs = documents(root)
    rows.append(("validate", measure([g, "validate", "--all", "-j", "1", "--no-cache"], root, runs)))
    rows.append(("render --check", measure([g, "render", "--all", "--check", "-j", "1", "--no-cache"], root, runs)))
    rows.extend(incremental(root, runs))
    _git_commit(root, "rendered")
    first = sorted((root / "environments").glob("prd*.yaml"))[0]
    first.write_text(first.read_text().replace("replicas: 2", "replicas: 3", 1))
    rows.append(("diff --base", measure([g, "diff", "--all", "--base", "HEAD"], root, runs)))
    shutil.rmtree(root, ignore_errors=True)  # 1,000 environments take room on tmpfs
    return rows, docs, files


def incremental(root: Path, runs: int) -> list[tuple[str, Sample]]:
    """The result cache (`run.resultcache`): every command again with nothing changed since the
    last run, and with one spec changed before each run (a comment appended: its environment is
    rendered and validated again, its tree stays in sync, the others are served)."""
    g = str(GITOPSGEN)
    spec = sorted((root / "environments").glob("prd*.yaml"))[0]
    touch = [sys.executable, "-c", f"import uuid; open({str(spec)!r}, 'a').write(f'# {{uuid.uuid4()}}\\n')"]
    commands = {"validate": [g, "validate", "--all", "-j", "1"],
                "render --check": [g, "render", "--all", "--check", "-j", "1"],
                "render": [g, "render", "--all", "-j", "1"]}
    rows = []
    for name, args in commands.items():
        subprocess.run(args, cwd=root, capture_output=True, check=False)  # the records of this tree
        rows.append((f"{name} =", measure(args, root, runs)))
        rows.append((f"{name} 1chg", measure(args, root, runs, before=[touch])))
    return rows


def precommit(base: Path, runs: int) -> tuple[float, float, float]:
    """(`validate prd`, `render prd --check`, `python -c "import typer"`) medians of user CPU
    seconds, the first two served from the result cache: the pre-commit case, in the example
    repository (dev and prd, their rendered trees)."""
    root = base / "precommit"
    shutil.rmtree(root, ignore_errors=True)
    for name in ("environments", "templates", "rendered"):
        shutil.copytree(ROOT / name, root / name)
    g = str(GITOPSGEN)

    def cpu(args: list[str]) -> float:
        subprocess.run(args, cwd=root, capture_output=True, check=False)  # warm: the result cache's records
        times = []
        for _ in range(max(runs, 7)):
            proc = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            times.append(usage.ru_utime + usage.ru_stime)
        return statistics.median(times)

    return (cpu([g, "validate", "prd"]), cpu([g, "render", "prd", "--check"]),
            cpu([sys.executable, "-c", "import typer"]))


def jobs_crossover(base: Path, runs: int,
                   sizes: tuple[int, ...] = (1, 2, 4, 8, 16, 32)) -> list[tuple[int, float, float]]:
    """(N, render -j 1, render -j 2) medians for small N: where parallel processes start to pay."""
    out = []
    g = str(GITOPSGEN)
    for n in sizes:
        root = generate(base, n, name=f"jobs{n}")
        subprocess.run([g, "render", "--all", "--check"], cwd=root, capture_output=True, check=False)
        clear = ["rm", "-rf", str(root / "rendered")]
        one = measure([g, "render", "--all", "-j", "1"], root, runs, before=[clear]).median
        two = measure([g, "render", "--all", "-j", "2"], root, runs, before=[clear]).median
        out.append((n, one, two))
        shutil.rmtree(root, ignore_errors=True)
    return out


def startup(runs: int) -> tuple[float, float]:
    """(`gitopsgen --help`, `python -c "import typer"`) medians."""
    cwd = Path(tempfile.gettempdir())
    help_ = measure([str(GITOPSGEN), "--help"], cwd, max(runs, 7)).median
    typer = measure([sys.executable, "-c", "import typer"], cwd, max(runs, 7)).median
    return help_, typer


def example_diff(base: Path, runs: int) -> float:
    """`diff --all --base HEAD` of the two example environments (dev, prd), one spec value changed."""
    root = base / "examples"
    shutil.rmtree(root, ignore_errors=True)
    for name in ("environments", "templates", "rendered"):
        shutil.copytree(ROOT / name, root / name)
    _git_commit(root, "examples", init=True)
    prd = root / "environments" / "prd.yaml"
    prd.write_text(prd.read_text().replace("replicas: 2", "replicas: 3", 1))
    g = str(GITOPSGEN)
    subprocess.run([g, "diff", "--all", "--base", "HEAD"], cwd=root, capture_output=True, check=False)  # warm
    return measure([g, "diff", "--all", "--base", "HEAD"], root, runs).median


# --- the peer kit ----------------------------------------------------------------------------


def peer(base: Path, runs: int) -> tuple[Sample, Sample, int] | None:
    """(kapitan compile, floor script, files per run) for 100 targets, or None without the kit."""
    if not PEER_KIT.is_dir():
        print(f"peer kit not found at {PEER_KIT}: skipping the Kapitan comparison", file=sys.stderr)
        return None
    venv = BENCH_OUT / "peer-venv"
    if not (venv / "bin" / "kapitan").exists():
        print("installing kapitan into bench-out/peer-venv (once) ...", file=sys.stderr)
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
    parser.add_argument("--no-extras", action="store_true",
                        help="skip the --jobs crossover, the start-up and the example diff")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    # Processes import from bytecode, as on a user's machine (pip compiles what it installs; an
    # editable install of this checkout is compiled here): a PYTHONDONTWRITEBYTECODE in the caller's
    # environment would otherwise make every run of ours compile its modules again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.pop("GITOPSGEN_NO_CACHE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=False, capture_output=True)
    scratch = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="gitopsgen-bench-", dir=scratch) as tmp:
        base = Path(tmp)
        os.environ["GITOPSGEN_CACHE_DIR"] = str(base / "cache")  # the result cache: this run's own
        print(f"gitopsgen bench: {machine()}; runs={args.runs}, median of each; scratch={base}")
        print(f"{'N':>5} {'command':<20} {'median s':>9} {'ms/env':>9} {'ms/file':>8} {'docs/s':>9} {'peak MiB':>9}")
        per_file: dict[tuple[int, str], float] = {}
        for n in sizes:
            rows, docs, files = bench_size(base, n, args.runs)
            for name, sample in rows:
                print(f"{n:>5} {name:<20} {sample.median:>9.3f} {sample.median / n * 1000:>9.1f} "
                      f"{sample.median / files * 1000:>8.3f} {docs / sample.median:>9.0f} "
                      f"{sample.peak_kib / 1024:>9.1f}")
                per_file[(n, name)] = sample.median / files
            print(f"{n:>5} ({docs} documents, {files} files)")
            sys.stdout.flush()
        if not args.no_extras:
            print("render -j 1 against -j 2 (median s):", "  ".join(
                f"N={n}: {one:.2f}/{two:.2f}" for n, one, two in jobs_crossover(base, args.runs)))
            help_, typer = startup(args.runs)
            print(f"gitopsgen --help {help_:.3f} s; python -c 'import typer' {typer:.3f} s; "
                  f"ratio {help_ / typer:.2f}x")
            print(f"diff --all --base HEAD of the two example environments: {example_diff(base, args.runs):.3f} s")
            validate_cpu, check_cpu, typer_cpu = precommit(base, args.runs)
            print(f"pre-commit, served from the result cache (CPU s): validate prd {validate_cpu:.3f} "
                  f"({validate_cpu / typer_cpu:.2f}x), render prd --check {check_cpu:.3f} "
                  f"({check_cpu / typer_cpu:.2f}x); python -c 'import typer' {typer_cpu:.3f}")
            sys.stdout.flush()
        if not args.no_peer:
            found = peer(base, args.runs)
            if found is not None:
                kapitan, floor, files = found
                kap, flo = kapitan.median / files, floor.median / files
                print(f"peer (100 targets, {files} files): kapitan compile {kapitan.median:.3f} s "
                      f"({kap * 1000:.2f} ms/file, {kapitan.peak_kib / 1024:.0f} MiB), floor script "
                      f"{floor.median:.3f} s ({flo * 1000:.3f} ms/file)")
                for name in ("render", "render -j2"):
                    ours = per_file.get((100, name))
                    if ours is not None:
                        print(f"{name} (render + validate + write) at N=100: {ours * 1000:.3f} ms/file; "
                              f"kapitan/ours = {kap / ours:.1f}x; ours/floor = {ours / flo:.2f}x")


if __name__ == "__main__":
    main()
