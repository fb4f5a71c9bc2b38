"""`gitopsgen diff` one environment at a time (issue 12: memory grows with an environment, not with
the number of them), with the same answers and errors as a diff holding every tree: every input
problem of every environment reported together, and a base whose specs no longer load compared
through the rendered/ committed at it. Real git repositories in temporary folders."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from git_support import commit, edit, init_repo
from gitopsgen.core.errors import SpecError
from gitopsgen.diff import DiffOptions, EnvStatus, diff
from gitopsgen.diff.sides import RenderSide
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.tree.manifests import RenderedTree
from kit import cli

APP_REPLICAS = "app:\n  replicas: 2\n"


def _with_staging(repo: Path) -> None:
    """A third environment, unique where it must be, so that a diff has trees to drop."""
    env = repo / "environments"
    text = (env / "prd.yaml").read_text()
    for old, new in (("hostname: api.example.com", "hostname: api-stg.example.com"),
                     ("name: prd ", "name: stg "),
                     ("tunnelId: 6ff42ae2-765d-4adf-8112-31c55c1551ef",
                      "tunnelId: 00000000-0000-4000-8000-000000000001"),
                     ("txtOwnerId: example-prd", "txtOwnerId: example-stg"), ("config: prd", "config: stg")):
        assert old in text, old
        text = text.replace(old, new, 1)
    (env / "stg.yaml").write_text(text)


def test_a_diff_holds_the_trees_of_one_environment_at_a_time(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "repo")
    _with_staging(repo)
    commit(repo, "staging", tag="base")
    for name in ("prd", "stg"):
        edit(repo / "environments" / f"{name}.yaml", APP_REPLICAS, "app:\n  replicas: 3\n")

    alive: list[weakref.ref[RenderedTree]] = []
    held: list[int] = []
    real = RenderSide.tree

    def tracked(self: RenderSide, env: str) -> RenderedTree:
        gc.collect()
        held.append(sum(ref() is not None for ref in alive))
        tree = real(self, env)
        alive.append(weakref.ref(tree))
        return tree

    monkeypatch.setattr(RenderSide, "tree", tracked)
    result = diff(DiffOptions(root=repo, all_envs=True, base="base"))
    assert [(e.env, e.status) for e in result.envs] == [
        ("dev", EnvStatus.UNCHANGED), ("prd", EnvStatus.CHANGED), ("stg", EnvStatus.CHANGED)]
    assert len(held) == 6  # head and base of each environment
    # Before each environment's first render, nothing of the one before is alive; before its
    # second, only its own first tree.
    assert held == [0, 1, 0, 1, 0, 1]


BREAKS = {"dev.yaml": ("  replicas: 1\n", "  replicas: many\n"), "prd.yaml": ("  quorum: 2\n", "  quorum: 4\n")}
"""A spec error in each example environment: (valid text, invalid text)."""


def _break(repo: Path, *, undo: bool = False) -> None:
    for name, (good, bad) in BREAKS.items():
        edit(repo / "environments" / name, *((bad, good) if undo else (good, bad)))


def _failing_files(repo: Path, base: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        diff(DiffOptions(root=repo, all_envs=True, base=base))
    return sorted({p.file for p in caught.value.problems})


def test_problems_of_every_environment_are_reported_together(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    _break(repo)
    assert _failing_files(repo, "v0") == ["environments/dev.yaml", "environments/prd.yaml"]


def test_problems_at_the_base_of_every_environment_are_reported_together(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    _break(repo)
    commit(repo, "broken", tag="broken")  # no rendered/ committed: nothing to fall back to
    _break(repo, undo=True)
    assert _failing_files(repo, "broken") == ["broken:environments/dev.yaml", "broken:environments/prd.yaml"]


def test_a_base_whose_specs_no_longer_load_is_compared_through_its_committed_render(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    assert render(RenderOptions(root=repo, all_envs=True)).exit_code == 0
    commit(repo, "rendered", tag="rendered")
    # A spec that this version refuses, committed beside the render of the one before it (as a
    # spec written for another version of gitopsgen would be).
    edit(repo / "environments" / "prd.yaml", "  quorum: 2\n", "  quorum: 2\n  retired: true\n")
    commit(repo, "spec of another version", tag="old-spec")
    edit(repo / "environments" / "prd.yaml", "  quorum: 2\n  retired: true\n", "  quorum: 2\n")
    edit(repo / "environments" / "prd.yaml", APP_REPLICAS, "app:\n  replicas: 3\n")

    result = diff(DiffOptions(root=repo, all_envs=True, base="old-spec"))
    [notice] = result.notices
    assert "the specs at old-spec do not load with this version of gitopsgen" in notice
    assert "old-spec:environments/prd.yaml" in notice
    assert "its side is the rendered/ committed at old-spec" in notice
    changed = {e.env: [(x.title, [f.dotted for f in x.fields]) for x in e.entries] for e in result.envs}
    assert changed["dev"] == []
    assert ("Deployment example-prd/example-api", ["spec.replicas"]) in changed["prd"]

    shown = cli("diff", "--all", "--base", "old-spec", "--root", repo)
    assert shown.returncode == 1, shown.stderr
    assert "do not load with this version of gitopsgen" in shown.stdout + shown.stderr
