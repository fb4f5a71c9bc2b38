"""Rules across environments, end to end: `render --all` on a staging copy of prd.

A `stg` copied from `prd` with only the hostname and replicas changed is refused wherever the run
starts (`render stg`, `render --all`), once per value it still shares with prd, at the line of
its spec, naming prd's line; made distinct, it renders with the others.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.core.problems import Problem
from gitopsgen.run.render import RenderOptions, render
from kit import cli, replace_in


@pytest.fixture
def staging(project: Path) -> Path:
    """A scratch project with environments/stg.yaml: prd.yaml with another hostname and 3 replicas."""
    stg = project / "environments" / "stg.yaml"
    stg.write_text((project / "environments" / "prd.yaml").read_text())
    replace_in(stg, "hostname: api.example.com", "hostname: api-stg.example.com")
    replace_in(stg, "app:\n  replicas: 2", "app:\n  replicas: 3")
    return project


def _line(root: Path, path: str, needle: str) -> int:
    lines = (root / path).read_text().splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def _cross(problems: list[Problem]) -> list[Problem]:
    return sorted(p for p in problems if p.rule.startswith("cross-"))


SHARED_WITH_PRD = ["argocd.destination", "postgres.backup.destinationPath", "edge.tunnelId", "externalDns.txtOwnerId"]
"""What the staging copy still shares with prd (its hostname changed)."""


def test_a_staging_copy_alone_is_refused_at_its_spec_lines_and_dev_and_prd_share_nothing(staging: Path) -> None:
    with pytest.raises(SpecError) as caught:
        render(RenderOptions(root=staging, envs=("stg",)))
    found = caught.value.problems
    assert [p.path for p in found] == SHARED_WITH_PRD
    assert all(p.file == "environments/stg.yaml" and "environments/prd.yaml:" in p.message for p in found)
    assert not (staging / "rendered").exists()
    (staging / "environments" / "stg.yaml").unlink()
    result = render(RenderOptions(root=staging, all_envs=True, check=True))
    assert [p.format() for e in result.envs for p in _cross(e.problems)] == []


def test_render_all_refuses_what_a_staging_copy_still_shares_with_prd_once_per_cause(staging: Path) -> None:
    with pytest.raises(SpecError) as caught:
        render(RenderOptions(root=staging, all_envs=True))
    assert not (staging / "rendered").exists()  # nothing is written
    # one problem per shared value, in the later environment, not one per Namespace of the cluster
    assert [(p.file, p.path) for p in caught.value.problems] == [("environments/stg.yaml", path)
                                                                 for path in SHARED_WITH_PRD]
    tunnel = next(p for p in caught.value.problems if p.path == "edge.tunnelId")
    assert f"(environments/prd.yaml:{_line(staging, 'environments/prd.yaml', 'tunnelId:')})" in tunnel.message


def test_the_command_line_names_both_spec_lines_and_exits_2(staging: Path) -> None:
    replace_in(staging / "environments" / "stg.yaml", "hostname: api-stg.example.com", "hostname: api.example.com")
    first = cli("render", "--all", "--root", str(staging))
    assert first.returncode == 2 and "Traceback" not in first.stderr
    host = _line(staging, "environments/prd.yaml", "hostname: api.example.com")
    assert (f"environments/stg.yaml:{host}:13: error: app.hostname: environment stg has the public hostname of "
            f"environment prd (environments/prd.yaml:{host}): api.example.com [spec-across]") in first.stderr
    assert cli("render", "stg", "--root", str(staging)).returncode == 2  # not only --all compares
    assert cli("render", "prd", "--root", str(staging)).returncode == 2  # nor only the newcomer


def test_a_staging_environment_of_its_own_renders_with_the_others(staging: Path) -> None:
    stg = staging / "environments" / "stg.yaml"
    replace_in(stg, "    name: prd ", "    name: stg ")
    replace_in(stg, "config: prd", "config: stg")
    replace_in(stg, "tunnelId: 6ff42ae2-765d-4adf-8112-31c55c1551ef", "tunnelId: 0c6b3f7e-2f7a-4c55-9d1e-7a1f1b0f4e21")
    replace_in(stg, "txtOwnerId: example-prd", "txtOwnerId: example-stg")
    replace_in(stg, "s3://example-org-db-backups/prd", "s3://example-org-db-backups/stg")
    result = render(RenderOptions(root=staging, all_envs=True))
    assert [p.format() for e in result.envs for p in _cross(e.problems)] == []
    assert result.exit_code == 0
    assert (staging / "rendered" / "stg" / "apps" / "data.yaml").read_text().count("name: stg-data") == 1
