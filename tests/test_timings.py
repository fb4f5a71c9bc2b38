"""The per-phase timer: `--timings` / GITOPSGEN_TIMINGS=1 say where a run spends its time, on stderr."""

from __future__ import annotations

import re
from pathlib import Path

from kit import cli

PHASES = re.compile(r"^timings: (\w+): (?:cache [\d.]+ms )?load [\d.]+ms render [\d.]+ms validate [\d.]+ms "
                    r"compare-write [\d.]+ms \(total [\d.]+ms\)$", re.MULTILINE)


def test_timings_flag_prints_each_phase_per_environment_and_nothing_on_stdout(project: Path) -> None:
    cli("render", "--all", "--root", project)
    result = cli("validate", "dev", "prd", "--root", project, "--timings")
    assert result.returncode == 0, result.stderr
    assert PHASES.findall(result.stderr) == ["dev", "prd"]
    assert "timings" not in result.stdout
    quiet = cli("validate", "dev", "prd", "--root", project)
    assert "timings" not in quiet.stderr
    assert quiet.stdout == result.stdout
    warm = cli("validate", "dev", "prd", "--root", project, "--timings")  # served from the result cache
    assert re.findall(r"^timings: (\w+): cache [\d.]+ms \(total [\d.]+ms\)$", warm.stderr, re.MULTILINE) == [
        "dev", "prd"]


def test_variable_times_render_check_and_the_process_start_up(project: Path) -> None:
    cli("render", "--all", "--root", project)
    result = cli("render", "prd", "--check", "--root", project, process=True,
                 env={"GITOPSGEN_TIMINGS": "1", "GITOPSGEN_NO_CACHE": "1"})
    assert result.returncode == 0, result.stderr
    assert PHASES.findall(result.stderr) == ["prd"]
    assert re.search(r"^timings: process: start-up [\d.]+ms, total [\d.]+ms \(user [\d.]+s, system [\d.]+s\)$",
                     result.stderr, re.MULTILINE), result.stderr
