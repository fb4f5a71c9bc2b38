"""The smaller adoption findings, each fixed: a spec field's hint is its whole first paragraph;
a stale environments/spec.schema.json fails validate (and is a warning of render --check); an
unknown --base names the branches that exist (a fresh `git init` may call its branch master);
init's README starts the repository on main, and its hooks install themselves."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from git_support import commit, git, init_repo
from gitopsgen.core.problems import Severity
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.validate import ValidateOptions, validate
from kit import cli, replace_in


def test_the_tier_hint_is_a_whole_sentence(project: Path) -> None:
    replace_in(project / "environments" / "dev.yaml", "tier: development", "tier: dev")
    [problem] = [p for p in validate(ValidateOptions(root=project, envs=("dev",))).problems if p.rule == "spec"]
    assert problem.hint is not None and problem.hint.endswith("deletion protection of stateful resources.")
    assert "\n" not in problem.hint


def test_a_stale_editor_schema_fails_validate_and_warns_in_check(project: Path) -> None:
    schema = project / "environments" / "spec.schema.json"
    assert schema.is_file()
    assert render(RenderOptions(root=project, all_envs=True)).exit_code == 0
    assert not [p for p in validate(ValidateOptions(root=project, all_envs=True)).problems if p.rule == "spec-schema"]
    data = json.loads(schema.read_text())
    data["properties"].pop(next(iter(data["properties"])))
    schema.write_text(json.dumps(data))
    result = validate(ValidateOptions(root=project, all_envs=True))
    [problem] = [p for p in result.problems if p.rule == "spec-schema"]
    assert result.exit_code == 1 and problem.file == "environments/spec.schema.json"
    assert problem.hint == "regenerate it: gitopsgen spec-schema --partial -o environments/spec.schema.json"
    checked = render(RenderOptions(root=project, all_envs=True, check=True))
    assert checked.exit_code == 0
    assert [p.severity for e in checked.envs for p in e.problems if p.rule == "spec-schema"] == [Severity.WARNING]


def test_an_unknown_base_names_the_branches_there(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    git(repo, "branch", "-m", "master")
    commit(repo, "again")
    done = cli("diff", "--all", "--base", "main", cwd=repo)
    assert done.returncode == 2
    assert "unknown git ref 'main'" in done.stderr and "the branches here: master" in done.stderr
    assert "git init -b main" in done.stderr


def test_init_readme_starts_on_main_and_its_hooks_install_themselves(tmp_path: Path) -> None:
    assert cli("init", tmp_path / "p").returncode == 0
    readme = (tmp_path / "p" / "README.md").read_text()
    assert "git init -b main" in readme and "--base main" in readme
    config = yaml.safe_load((tmp_path / "p" / ".pre-commit-config.yaml").read_text())
    [repo] = config["repos"]
    assert repo["repo"].startswith("https://github.com/") and [h["id"] for h in repo["hooks"]] == ["gitopsgen-check"]
    assert "language" not in repo["hooks"][0]  # the hook's own (python): not a system command on PATH
