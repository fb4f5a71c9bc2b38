"""Adding an environment is checked wherever a run starts: `render ENV` and `validate ENV` compare
ENV's spec with every other environment's, one problem per cause, at the lines of both specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.validate import ValidateOptions, validate
from gitopsgen.spec import across
from kit import cli, replace_in

PRD = "environments/prd.yaml"
STG = "environments/stg.yaml"


def line_of(project: Path, path: str, needle: str) -> int:
    return next(i for i, line in enumerate((project / path).read_text().splitlines(), 1) if needle in line)


@pytest.fixture
def stg(project: Path) -> Path:
    """A plain copy of prd named stg, as a new user starts."""
    shutil.copy(project / PRD, project / STG)
    return project


def test_a_copy_of_production_gives_one_problem_per_shared_value_at_both_lines(stg: Path) -> None:
    found = across.problems(stg, ["stg"])
    assert [(p.file, p.line, p.path) for p in found] == [
        (STG, line_of(stg, STG, "name: prd"), "argocd.destination"),
        (STG, line_of(stg, STG, "hostname: api.example.com"), "app.hostname"),
        (STG, line_of(stg, STG, "destinationPath:"), "postgres.backup.destinationPath"),
        (STG, line_of(stg, STG, "tunnelId:"), "edge.tunnelId"),
        (STG, line_of(stg, STG, "txtOwnerId:"), "externalDns.txtOwnerId"),
    ]
    for problem in found:  # each names the other environment's file and line
        assert f"of environment prd ({PRD}:" in problem.message
    assert f"({PRD}:{line_of(stg, PRD, 'destinationPath:')})" in found[2].message


def test_render_and_validate_of_the_new_environment_alone_refuse_it(stg: Path) -> None:
    with pytest.raises(SpecError) as rendered:
        render(RenderOptions(root=stg, envs=("stg",)))
    assert len(rendered.value.problems) == 5
    assert not (stg / "rendered").exists()
    validated = validate(ValidateOptions(root=stg, envs=("stg",)))  # bad input: exit 2, its problems in the result
    assert validated.exit_code == 2 and validated.problems == sorted(rendered.value.problems)


def test_the_console_refuses_with_exit_2(stg: Path) -> None:
    result = cli("render", "stg", cwd=stg)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{STG}:{line_of(stg, STG, 'tunnelId:')}:" in result.stderr
    assert result.stderr.count("[spec-across]") == 5


def test_with_all_each_pair_is_reported_once_at_the_later_environment(stg: Path) -> None:
    found = across.problems(stg, ["dev", "prd", "stg"])
    assert {p.file for p in found} == {STG} and len(found) == 5


def test_a_shared_backup_destination_alone_is_an_error(stg: Path) -> None:
    text = (stg / PRD).read_text()
    (stg / STG).write_text(text.replace("name: prd", "name: stg").replace("api.example.com", "api-stg.example.com")
                           .replace("tunnelId: 6ff42ae2", "tunnelId: 7ff42ae2")
                           .replace("txtOwnerId: example-prd", "txtOwnerId: example-stg"))
    [problem] = across.problems(stg, ["stg"])
    assert problem.path == "postgres.backup.destinationPath"
    assert "s3://example-org-db-backups/prd" in problem.message
    replace_in(stg / STG, "s3://example-org-db-backups/prd", "s3://example-org-db-backups/stg")
    assert across.problems(stg, ["stg"]) == []


def test_the_example_environments_share_nothing(project: Path) -> None:
    assert across.problems(project, ["dev", "prd"]) == []
