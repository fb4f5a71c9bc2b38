"""Rules across environments, end to end: `render --all` on a staging copy of prd.

A `stg` copied from `prd` with only the hostname and replicas changed renders cleanly on its own,
and the cross-environment rules find what it still shares with prd, in the staging files,
naming prd's file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.core.problems import Problem, Severity
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


def test_a_staging_copy_alone_is_clean_and_nothing_collides_between_dev_and_prd(staging: Path) -> None:
    assert render(RenderOptions(root=staging, envs=("stg",))).exit_code == 0
    (staging / "environments" / "stg.yaml").unlink()
    result = render(RenderOptions(root=staging, all_envs=True, check=True))
    assert [p.format() for e in result.envs for p in _cross(e.problems)] == []


def test_render_all_finds_what_a_staging_copy_still_shares_with_prd(staging: Path) -> None:
    result = render(RenderOptions(root=staging, all_envs=True))
    assert result.exit_code == 1
    assert not (staging / "rendered").exists()  # nothing is written when one environment is invalid
    by_env = {e.env: _cross(e.problems) for e in result.envs}
    assert by_env["dev"] == [] and by_env["prd"] == []  # reported once, in the later environment
    found = {(p.rule, p.file, p.severity) for p in by_env["stg"]}
    assert ("cross-tunnel-id", "rendered/stg/config/cloudflared/config.yaml", Severity.ERROR) in found
    assert ("cross-dns-owner", "rendered/stg/values/external-dns.yaml", Severity.ERROR) in found
    assert ("cross-doppler-config", "rendered/stg/manifests/secret-store/cluster-secret-store.yaml",
            Severity.WARNING) in found
    # stg kept prd's cluster: the same namespaces and ClusterSecretStore would have two owners
    assert ("cross-destinations", "rendered/stg/manifests/namespaces/namespaces.yaml", Severity.ERROR) in found
    assert {p.rule for p in by_env["stg"]} == {"cross-tunnel-id", "cross-dns-owner", "cross-doppler-config",
                                               "cross-destinations"}
    # Application names carry the environment, and the hostname changed
    tunnel = next(p for p in by_env["stg"] if p.rule == "cross-tunnel-id")
    assert "rendered/prd/config/cloudflared/config.yaml:2" in tunnel.message  # line 1 is the header


def test_render_all_reports_both_files_and_lines_on_the_command_line(staging: Path) -> None:
    replace_in(staging / "environments" / "stg.yaml", "hostname: api-stg.example.com", "hostname: api.example.com")
    replace_in(staging / "environments" / "stg.yaml", "    name: prd ", "    name: stg ")
    replace_in(staging / "environments" / "stg.yaml", "config: prd", "config: stg")
    first = cli("render", "--all", "--root", str(staging))
    assert first.returncode == 1
    assert cli("render", "prd", "stg", "--root", str(staging)).returncode == 0  # only --all compares
    for env in ("prd", "stg"):
        assert cli("render", env, "--root", str(staging)).returncode == 0
    route = "manifests/example-api/httproute.yaml"
    host = _line(staging / "rendered" / "prd", route, "- api.example.com")
    owner = _line(staging / "rendered" / "prd", "values/external-dns.yaml", "txtOwnerId:")
    out = first.stderr
    assert (f"rendered/stg/{route}:{host}: error: spec.hostnames[0]: host 'api.example.com' is also served by "
            f"environment prd at rendered/prd/{route}:{host}") in out
    assert (f"rendered/stg/values/external-dns.yaml:{owner}: error: txtOwnerId: environment stg uses txtOwnerId "
            f"'example-prd' for example.com like rendered/prd/values/external-dns.yaml:{owner}") in out
    assert "[cross-tunnel-id]" in out and "[cross-destinations]" not in out and "[cross-doppler-config]" not in out


def test_a_staging_environment_of_its_own_renders_with_the_others(staging: Path) -> None:
    stg = staging / "environments" / "stg.yaml"
    replace_in(stg, "    name: prd ", "    name: stg ")
    replace_in(stg, "config: prd", "config: stg")
    replace_in(stg, "tunnelId: 6ff42ae2-765d-4adf-8112-31c55c1551ef", "tunnelId: 0c6b3f7e-2f7a-4c55-9d1e-7a1f1b0f4e21")
    replace_in(stg, "txtOwnerId: example-prd", "txtOwnerId: example-stg")
    result = render(RenderOptions(root=staging, all_envs=True))
    assert [p.format() for e in result.envs for p in _cross(e.problems)] == []
    assert result.exit_code == 0
    assert (staging / "rendered" / "stg" / "apps" / "data.yaml").read_text().count("name: stg-data") == 1
