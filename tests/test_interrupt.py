"""Ctrl-C and SIGTERM, through the CLI's `main` in a process of its own on a repository with
several environments: the run says which environments were written and which kept their previous
render, exits 130, and leaves no staging folder; what a killed run left is named by the next
`render --check` and `validate`, and removed by the next render. The run is paused at the
write's checkpoints (`gitopsgen.tree.write._checkpoint`), so the signal lands at a known point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gitopsgen.run.render import RenderOptions, render
from kit import cli, replace_in
from test_atomic_write import CHILD, _wait_for, tree


@pytest.fixture
def edited(project: Path) -> Path:
    """Both environments rendered, then both specs edited: the next render rewrites each."""
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    replace_in(project / "environments" / "prd.yaml", "replicas: 2\n  hostname", "replicas: 3\n  hostname")
    replace_in(project / "environments" / "dev.yaml", "replicas: 1", "replicas: 2")
    return project


def _interrupt(project: Path, tmp_path: Path, point: str, count: int, signum: int) -> subprocess.CompletedProcess[str]:
    pause = tmp_path / "pause"
    pause.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "GITOPSGEN_DEBUG"}
    process = subprocess.Popen([sys.executable, "-c", CHILD, point, str(count), str(pause), "render", "--all",
                                "--jobs", "1", "--root", str(project)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _wait_for(pause / "paused", process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _staging(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "rendered").iterdir() if p.name.startswith("."))


def test_sigint_between_swaps_names_the_written_and_the_kept_environments(edited: Path, tmp_path: Path) -> None:
    old_prd = tree(edited / "rendered" / "prd")
    done = _interrupt(edited, tmp_path, "staged", 2, signal.SIGINT)  # dev swapped in, prd about to be
    assert done.returncode == 130, done.stderr
    assert "interrupted: written (new render): rendered/dev" in done.stderr
    assert "interrupted: not written (previous render kept): rendered/prd" in done.stderr
    assert _staging(edited) == []
    assert tree(edited / "rendered" / "prd") == old_prd
    assert "replicas: 2" in (edited / "rendered" / "dev" / "manifests" / "example-api" / "deployment.yaml").read_text()


def test_sigterm_while_staging_writes_nothing_and_says_so(edited: Path, tmp_path: Path) -> None:
    before = {env: tree(edited / "rendered" / env) for env in ("dev", "prd")}
    done = _interrupt(edited, tmp_path, "file", 3, signal.SIGTERM)
    assert done.returncode == 130, done.stderr
    assert "interrupted: not written (previous render kept): rendered/dev, rendered/prd" in done.stderr
    assert "written (new render)" not in done.stderr
    assert _staging(edited) == []
    assert {env: tree(edited / "rendered" / env) for env in ("dev", "prd")} == before


def test_a_killed_runs_leftovers_are_named_by_check_and_validate(project: Path) -> None:
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    (project / "rendered" / ".prd.new-x1y2").mkdir()
    (project / "rendered" / ".prd.new-x1y2" / "a.yaml").write_text("a: 1\n")
    for args in (("render", "--all", "--check"), ("validate", "--all")):
        done = cli(*args, "--root", project)
        said = done.stdout + done.stderr  # render prints findings on stderr, validate on stdout
        assert "rendered/.prd.new-x1y2: warning: left by an interrupted or killed gitopsgen run" in said, args
        assert "`gitopsgen render --all` removes it" in said
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    assert _staging(project) == []


def test_sigint_with_worker_processes_leaves_no_staging_folder(edited: Path, tmp_path: Path) -> None:
    """A worker is paused while staging its environment; the parent is interrupted, the worker
    finishes that environment (workers leave Ctrl-C to the parent), and the staged tree the
    parent never received is removed under the run's lock."""
    before = {env: tree(edited / "rendered" / env) for env in ("dev", "prd")}
    pause = tmp_path / "pause"
    pause.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "GITOPSGEN_DEBUG"}
    process = subprocess.Popen([sys.executable, "-c", CHILD, "file", "3", str(pause), "render", "--all",
                                "--jobs", "2", "--root", str(edited)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _wait_for(pause / "paused", process)
    process.send_signal(signal.SIGINT)
    (pause / "go").touch()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted: not written (previous render kept): rendered/dev, rendered/prd" in err
    assert _staging(edited) == []
    assert {env: tree(edited / "rendered" / env) for env in ("dev", "prd")} == before
