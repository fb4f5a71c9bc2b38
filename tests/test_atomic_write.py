"""Atomic under failure, one run at a time (issue 10, item 6).

Faults are injected at the write's checkpoints (`gitopsgen.tree.write._checkpoint`): an exception in
process, and a real SIGKILL of a child process running the console script's `main`. Before the
swap, rendered/<env> must be exactly the old tree; after it, exactly the new one; the next run
cleans what a killed run left. A second run on the same repository waits for the first (or fails
with a clear message) and never interleaves with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.repolock import repository_lock
from gitopsgen.tree import write
from kit import GITOPSGEN, cli, replace_in

CHILD = """
import os, signal, sys, time
from pathlib import Path
import gitopsgen.tree.write as write

point, count, action = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seen = 0

def checkpoint(name):
    global seen
    if name != point:
        return
    seen += 1
    if seen != count:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    folder = Path(action)  # pause: say so, then wait for the test to let us go on
    (folder / "paused").touch()
    while not (folder / "go").exists():
        time.sleep(0.01)

write._checkpoint = checkpoint
if os.environ.get("GITOPSGEN_TEST_NO_EXCHANGE"):
    write.exchange = lambda a, b: False
from gitopsgen.cli.app import main
sys.argv = ["gitopsgen", *sys.argv[4:]]
main()
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(rendered: Path) -> list[str]:
    return sorted(p.name for p in rendered.iterdir() if p.name.startswith("."))


@pytest.fixture
def old_and_new(project: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """`project` rendered (the old tree) with edits pending whose render is the new tree: a file
    modified, one removed and one added."""
    gone = project / "templates" / "manifests" / "example-api" / "gone.yaml.j2"
    gone.write_text("b: 1\n")
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    old = tree(project / "rendered" / "prd")
    replace_in(project / "environments" / "prd.yaml", "replicas: 2\n  hostname", "replicas: 3\n  hostname")
    gone.unlink()
    (project / "templates" / "manifests" / "example-api" / "extra.yaml.j2").write_text("a: 1\n")
    elsewhere = tmp_path / "expected"
    shutil.copytree(project / "environments", elsewhere / "environments")
    shutil.copytree(project / "templates", elsewhere / "templates")
    assert render(RenderOptions(root=elsewhere, envs=("prd",))).exit_code == 0
    new = tree(elsewhere / "rendered" / "prd")
    assert old != new and "manifests/example-api/extra.yaml" in new
    return old, new


def child(project: Path, point: str, count: int, action: str, *, exchange: bool = True) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITOPSGEN_DEBUG"}
    if not exchange:
        env["GITOPSGEN_TEST_NO_EXCHANGE"] = "1"
    return subprocess.Popen([sys.executable, "-c", CHILD, point, str(count), action, "render", "prd",
                             "--root", str(project)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


POINTS = [("file", 1, "old"), ("file", 5, "old"), ("staged", 1, "old"), ("swapped", 1, "new")]


@pytest.mark.parametrize("point, count, expected", POINTS, ids=[f"{p}-{c}" for p, c, _ in POINTS])
def test_an_exception_during_the_write_leaves_the_old_tree_or_the_whole_new_one(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
        point: str, count: int, expected: str) -> None:
    old, new = old_and_new
    calls: list[str] = []

    def fail(name: str) -> None:
        calls.append(name)
        if calls.count(point) == count and name == point:
            raise RuntimeError(f"injected at {point} #{count}")

    monkeypatch.setattr(write, "_checkpoint", fail)
    with pytest.raises(RuntimeError, match="injected"):
        render(RenderOptions(root=project, envs=("prd",)))
    rendered = project / "rendered"
    assert tree(rendered / "prd") == (old if expected == "old" else new)
    assert leftovers(rendered) == []  # an exception cleans up after itself
    monkeypatch.setattr(write, "_checkpoint", lambda name: None)
    assert render(RenderOptions(root=project, envs=("prd",))).exit_code == 0
    assert tree(rendered / "prd") == new


def test_an_exception_between_the_two_renames_of_the_fallback_swap_puts_the_old_tree_back(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]], monkeypatch: pytest.MonkeyPatch) -> None:
    old, _ = old_and_new
    monkeypatch.setattr(write, "exchange", lambda a, b: False)

    def fail(name: str) -> None:
        if name == "retired":
            raise RuntimeError("injected between the renames")

    monkeypatch.setattr(write, "_checkpoint", fail)
    with pytest.raises(RuntimeError):
        render(RenderOptions(root=project, envs=("prd",)))
    assert tree(project / "rendered" / "prd") == old and leftovers(project / "rendered") == []


@pytest.mark.parametrize("point, count, expected", POINTS, ids=[f"{p}-{c}" for p, c, _ in POINTS])
def test_a_sigkill_during_the_write_leaves_the_old_tree_or_the_whole_new_one_and_the_next_run_cleans_up(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]],
        point: str, count: int, expected: str) -> None:
    old, new = old_and_new
    process = child(project, point, count, "kill")
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == -9, stderr
    rendered = project / "rendered"
    assert tree(rendered / "prd") == (old if expected == "old" else new)
    assert leftovers(rendered)  # the killed run's staging (or retired) folder
    assert render(RenderOptions(root=project, envs=("prd",))).exit_code == 0  # the next run
    assert tree(rendered / "prd") == new and leftovers(rendered) == []


def test_a_sigkill_between_the_renames_of_the_fallback_swap_is_undone_by_the_next_run(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    old, new = old_and_new
    process = child(project, "retired", 1, "kill", exchange=False)
    process.communicate(timeout=120)
    assert process.returncode == -9
    rendered = project / "rendered"
    assert not (rendered / "prd").exists()  # the one window the fallback has (see gitopsgen.tree.write)
    write.clean_leftovers(rendered)  # what the next run does first
    assert tree(rendered / "prd") == old
    assert render(RenderOptions(root=project, envs=("prd",))).exit_code == 0
    assert tree(rendered / "prd") == new and leftovers(rendered) == []


def test_a_tree_killed_while_being_removed_is_never_put_back(project: Path) -> None:
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    (project / "environments" / "dev.yaml").unlink()  # render --all now removes rendered/dev
    env = {k: v for k, v in os.environ.items() if k != "GITOPSGEN_DEBUG"}
    process = subprocess.Popen([sys.executable, "-c", CHILD, "removing", "1", "kill", "render", "--all",
                                "--root", str(project)], stderr=subprocess.PIPE, text=True, env=env)
    process.communicate(timeout=120)
    assert process.returncode == -9
    assert not (project / "rendered" / "dev").exists()
    assert render(RenderOptions(root=project, envs=("prd",))).exit_code == 0
    assert sorted(p.name for p in (project / "rendered").iterdir()) == ["prd"]


def test_leftovers_are_cleaned_even_when_nothing_changed(project: Path) -> None:
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    (project / "rendered" / ".prd.new-abc").mkdir()
    (project / "rendered" / ".dev.old-abc").mkdir()
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    assert leftovers(project / "rendered") == []


def test_the_writer_refuses_a_path_that_leaves_the_tree(project: Path, tmp_path: Path) -> None:
    from gitopsgen.tree.manifests import RenderedFile, RenderedTree

    bad = RenderedTree("prd", {"../escape.yaml": RenderedFile("../escape.yaml", "t", (), "a: 1\n")})
    with pytest.raises(ValueError, match="refusing to write outside"):
        write.write_tree(bad, tmp_path / "rendered" / "prd")
    assert not (tmp_path / "rendered" / "escape.yaml").exists()


# --- the lock --------------------------------------------------------------------------------------


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    """Wait until `path` exists (the child got there); fail if the child ends first."""
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the child never got there"
        time.sleep(0.01)


@contextmanager
def held(root: Path, exclusive: bool = True) -> Iterator[None]:
    with repository_lock(root, exclusive=exclusive, timeout=0):
        yield


def test_a_render_waits_while_another_run_holds_the_repository(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    old, new = old_and_new
    env = {"GITOPSGEN_LOCK_TIMEOUT": "120"}
    with held(project):
        process = subprocess.Popen([str(GITOPSGEN), "render", "prd", "--root", str(project)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, **env})
        assert process.stderr is not None
        assert "waiting for another gitopsgen run" in process.stderr.readline()
        assert tree(project / "rendered" / "prd") == old  # it waits, it does not write
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert tree(project / "rendered" / "prd") == new


def test_a_render_that_cannot_get_the_lock_fails_clearly_and_changes_nothing(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    old, _ = old_and_new
    with held(project):
        result = cli("render", "prd", "--root", project, env={"GITOPSGEN_LOCK_TIMEOUT": "0"})
    assert result.returncode == 2, result.stderr
    assert f"{project}: error: another gitopsgen run is using this repository" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(project / "rendered" / "prd") == old


def test_checks_share_the_lock_and_a_write_waits_for_them(project: Path) -> None:
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    with held(project, exclusive=False):
        assert cli("render", "--all", "--check", "--root", project,
                   env={"GITOPSGEN_LOCK_TIMEOUT": "0"}).returncode == 0
        assert cli("render", "--all", "--root", project, env={"GITOPSGEN_LOCK_TIMEOUT": "0"}).returncode == 2


def test_two_renders_of_one_repository_are_serialised_never_interleaved(
        project: Path, old_and_new: tuple[dict[str, bytes], dict[str, bytes]], tmp_path: Path) -> None:
    old, new = old_and_new
    first = child(project, "staged", 1, str(tmp_path))  # pauses with its new tree staged, lock held
    _wait_for(tmp_path / "paused", first)
    replace_in(project / "environments" / "prd.yaml", "replicas: 3\n  hostname", "replicas: 4\n  hostname")
    second = subprocess.Popen([str(GITOPSGEN), "render", "prd", "--root", str(project)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "GITOPSGEN_LOCK_TIMEOUT": "120"})
    assert second.stderr is not None
    assert "waiting for another gitopsgen run" in second.stderr.readline()
    assert tree(project / "rendered" / "prd") == old  # neither has written anything yet
    (tmp_path / "go").touch()
    assert first.wait(timeout=120) == 0
    assert second.wait(timeout=120) == 0, second.communicate()
    final = tree(project / "rendered" / "prd")
    deployment = final["manifests/example-api/deployment.yaml"].decode()
    assert "replicas: 4" in deployment  # the second run read the spec after the first finished
    assert set(final) == set(new)
