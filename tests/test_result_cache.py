"""The result cache cannot lie: a run served from it finds, counts and reports exactly what a run
without it does, whatever input changed since the record was made, and a record it cannot trust
(truncated, corrupt, another format, files edited on disk) is a miss, never an error.

Every test has its own cache folder (conftest moves GITOPSGEN_CACHE_DIR into the test's tmp_path)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gitopsgen
from gitopsgen.core.errors import GitopsgenError
from gitopsgen.run import resultcache
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.resultcache import ResultCache
from kit import GITOPSGEN, cli

RESTRICTIVE = json.dumps({"type": "object", "required": ["spec", "aFieldNoApplicationHas"]})
PERMISSIVE = json.dumps({"type": "object"})


@pytest.fixture
def hits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The environments served from the cache, in order."""
    served: list[str] = []
    lookup = ResultCache.lookup

    def spy(self: ResultCache, env: str) -> Any:
        outcome = lookup(self, env)
        if outcome is not None:
            served.append(env)
        return outcome

    monkeypatch.setattr(ResultCache, "lookup", spy)
    return served


def summary(root: Path, *, cache: bool, envs: tuple[str, ...] = ("prd",), check: bool = True,
            locations: tuple[str, ...] = ()) -> Any:
    """Everything a run reports, with every field of every finding, or the error it raises."""
    try:
        result = render(RenderOptions(root, envs=envs, all_envs=not envs, check=check, keep_trees=False,
                                      cache=cache, schema_locations=locations))
    except GitopsgenError as exc:
        return ("error", type(exc).__name__, [p.__dict__ for p in exc.problems])
    return (result.exit_code, result.orphans,
            [(e.env, [p.__dict__ for p in e.problems], e.changes, e.files, e.documents, e.stale, e.texts,
              {path: [(d.index, d.data) for d in f.documents] for path, f in e.tree.files.items()})
             for e in result.envs])


def rendered_project(project: Path) -> Path:
    render(RenderOptions(project, all_envs=True, keep_trees=False))
    return project


def test_a_second_run_is_served_from_the_cache_and_reports_the_same(project: Path, hits: list[str]) -> None:
    root = rendered_project(project)
    cold = summary(root, cache=True, envs=())
    assert hits == []
    warm = summary(root, cache=True, envs=())
    assert hits == ["dev", "prd"]
    assert warm == cold == summary(root, cache=False, envs=())
    written = summary(root, cache=True, envs=(), check=False)  # a write run has its own records
    assert written == summary(root, cache=True, envs=(), check=False) == summary(root, cache=False, envs=(),
                                                                                 check=False)


def _flip(path: Path, position: int, byte: int) -> None:
    data = bytearray(path.read_bytes())
    data[position % len(data)] = byte
    path.write_bytes(bytes(data))


BYTES = st.sampled_from(b"0123456789abz:-_ \n#'\"{}%")


@pytest.mark.parametrize("change", ["spec", "defaults", "template", "schema", "version", "toml", "extra"])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_input_gives_the_result_of_a_run_without_cache(project: Path, tmp_path: Path, change: str,
                                                                   data: st.DataObject) -> None:
    root = project
    if not (root / "rendered").exists():
        rendered_project(root)
    locations = tmp_path / "schemas-extra"
    schema = locations / "argoproj.io" / "application_v1alpha1.json"
    schema.parent.mkdir(parents=True, exist_ok=True)
    schema.write_text(PERMISSIVE)
    templates = sorted(p for p in (root / "templates").rglob("*.j2"))
    saved = {p: p.read_bytes() for p in [root / "environments" / "prd.yaml", root / "environments" / "defaults.yaml",
                                         *templates]}
    version = gitopsgen.__version__
    summary(root, cache=True, locations=(str(locations),))  # the record of the inputs before the change
    try:
        if change in ("spec", "defaults"):
            path = root / "environments" / ("prd.yaml" if change == "spec" else "defaults.yaml")
            _flip(path, data.draw(st.integers(0, 10**6)), data.draw(BYTES))
        elif change == "template":
            _flip(data.draw(st.sampled_from(templates)), data.draw(st.integers(0, 10**6)), data.draw(BYTES))
        elif change == "schema":
            schema.write_text(RESTRICTIVE)
        elif change == "version":
            gitopsgen.__version__ = version + data.draw(st.sampled_from(["+1", ".post1", "rc1"]))
        elif change == "toml":
            (root / "gitopsgen.toml").write_text(data.draw(st.sampled_from([
                "[validate]\nstrict = true\n", '[validate]\nkubernetes-version = "1.32"\n', "[validate]\n"])))
        else:
            name = data.draw(st.sampled_from(["notes.txt", "templates/README", "schemas-draft/x.json"]))
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data.draw(st.binary(max_size=20)))
        assert summary(root, cache=True, locations=(str(locations),)) == summary(root, cache=False,
                                                                               locations=(str(locations),))
    finally:
        gitopsgen.__version__ = version
        for path, content in saved.items():
            path.write_bytes(content)
        (root / "gitopsgen.toml").unlink(missing_ok=True)


def test_a_restrictive_schema_location_finding_is_served_and_a_changed_schema_is_a_miss(
        project: Path, tmp_path: Path, hits: list[str]) -> None:
    root = rendered_project(project)
    schema = tmp_path / "extra" / "argoproj.io" / "application_v1alpha1.json"
    schema.parent.mkdir(parents=True)
    schema.write_text(RESTRICTIVE)
    locations = (str(tmp_path / "extra"),)
    cold = summary(root, cache=True, locations=locations)
    assert cold[0] == 1  # the schema finds every Application wanting
    assert summary(root, cache=True, locations=locations) == cold
    assert hits == ["prd"]
    schema.write_text(PERMISSIVE)
    assert summary(root, cache=True, locations=locations) == summary(root, cache=False, locations=locations)
    assert hits == ["prd"]
    assert summary(root, cache=True, locations=locations)[0] == 0


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "other-format", "empty", "not-json"])
def test_a_damaged_record_is_a_miss(project: Path, hits: list[str], damage: str) -> None:
    root = rendered_project(project)
    expected = summary(root, cache=True)
    records = sorted(resultcache.folder().glob("*/*.json"))
    assert len(records) == 1
    record = records[0]
    data = record.read_bytes()
    header, _, body = data.partition(b"\n")
    damaged = {
        "truncated": data[: len(data) // 2],
        "corrupted": header + b"\n" + body.replace(b'"documents": ', b'"documents": 1', 1),
        "other-format": header.replace(b" 1 ", b" 2 ", 1) + b"\n" + body.replace(b'"format": 1', b'"format": 2'),
        "empty": b"",
        "not-json": b"gitopsgen-results 1 " + b"0" * 64 + b"\n{",
    }[damage]
    record.write_bytes(damaged)
    assert summary(root, cache=True) == expected
    assert hits == []
    assert summary(root, cache=True) == expected  # the miss rewrote a sound record
    assert hits == ["prd"]


def test_a_hand_edited_rendered_file_is_caught_with_a_warm_cache(project: Path, hits: list[str]) -> None:
    root = rendered_project(project)
    assert cli("render", "prd", "--check", "--root", root).returncode == 0
    assert cli("render", "prd", "--check", "--root", root).returncode == 0
    edited = root / "rendered" / "prd" / "apps" / "data.yaml"
    edited.write_text(edited.read_text() + "# a hand edit\n")
    warm = cli("render", "prd", "--check", "--root", root)
    assert warm.returncode == 1
    assert "apps/data.yaml" in warm.stdout + warm.stderr
    uncached = cli("render", "prd", "--check", "--root", root, "--no-cache")
    assert (warm.returncode, warm.stdout, warm.stderr) == (uncached.returncode, uncached.stdout, uncached.stderr)
    extra = root / "rendered" / "prd" / "apps" / "extra.yaml"  # a file added by hand: a miss too
    edited.write_text(edited.read_text().replace("# a hand edit\n", ""))
    extra.write_text("kind: ConfigMap\n")
    added = cli("render", "prd", "--check", "--root", root)
    assert added.returncode == 0 and "apps/extra.yaml: kept, not written by gitopsgen" in added.stdout
    assert hits == ["prd"]  # the second clean run before the edits; the edited trees were rendered


def test_no_cache_gives_the_same_bytes_and_findings(project: Path, tmp_path: Path) -> None:
    root = rendered_project(project)
    schema = tmp_path / "extra" / "argoproj.io" / "application_v1alpha1.json"
    schema.parent.mkdir(parents=True)
    schema.write_text(RESTRICTIVE)
    for args in (["validate", "--all", "--format", "json", "-v"], ["validate", "dev", "prd"],
                 ["render", "--all", "--check", "-v"]):
        runs = [cli(*args, "--root", root, "--schema-location", tmp_path / "extra", *extra)
                for extra in ([], [], ["--no-cache"])]
        assert runs[0].returncode == 1
        assert len({(r.returncode, r.stdout, r.stderr) for r in runs}) == 1, args
    off = cli("validate", "--all", "--root", root, env={"GITOPSGEN_NO_CACHE": "1"})
    assert off.returncode == 0
    before = sorted(resultcache.folder().glob("*/*.json"))
    cli("render", "--all", "--root", root, env={"GITOPSGEN_NO_CACHE": "1"})
    assert sorted(resultcache.folder().glob("*/*.json")) == before  # nothing read or written


def test_two_concurrent_runs_share_the_cache(project: Path) -> None:
    root = rendered_project(project)
    runs = [subprocess.Popen([str(GITOPSGEN), "validate", "--all", "--root", str(root), "--jobs", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1]
    records = sorted(resultcache.folder().glob("*/*.json"))
    assert len(records) == 2  # one per environment: both runs wrote the same records
    assert all(resultcache.decode(r.read_bytes(), r.stem) is not None for r in records)
    after = cli("validate", "--all", "--root", root)
    assert (after.stdout, after.stderr) == outputs[0]


def test_eviction_removes_the_least_recently_used_records(tmp_path: Path) -> None:
    for n in range(6):
        path = tmp_path / "ab" / f"{n}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * 100)
        os.utime(path, ns=(n * 10**9, n * 10**9))
    resultcache.evict(tmp_path, max_entries=4)
    assert sorted(p.name for p in tmp_path.glob("*/*.json")) == ["2.json", "3.json", "4.json", "5.json"]
    resultcache.evict(tmp_path, max_bytes=250)
    assert sorted(p.name for p in tmp_path.glob("*/*.json")) == ["4.json", "5.json"]


def test_special_files_in_the_repository_are_named_not_read(project: Path, hits: list[str]) -> None:
    root = rendered_project(project)
    os.mkfifo(root / "a-pipe")  # reading it would block the run for ever
    os.mkfifo(root / "environments" / "pipe.yaml")
    assert summary(root, cache=True) == summary(root, cache=False)
    assert summary(root, cache=True) == summary(root, cache=False)
    assert hits == ["prd"]
