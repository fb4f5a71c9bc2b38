"""`gitopsgen validate` through the console script: environments (spec + in-memory render + every
layer, nothing written) or files on disk (`--path`), exit codes 0/1/2, and the output formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kit import cli, replace_in

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePort: 80
"""


def test_validate_all_is_clean_on_the_examples_and_writes_nothing(project: Path) -> None:
    result = cli("validate", "--all", "--root", project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validated" in result.stdout and "0 errors" in result.stdout
    assert not (project / "rendered").exists()


def test_a_bad_spec_is_bad_input_and_every_environment_s_problems_are_reported(project: Path) -> None:
    replace_in(project / "environments" / "prd.yaml", "  quorum: 2\n", "  quorum: 4\n")
    replace_in(project / "environments" / "dev.yaml", "replicas: 1", "replicas: 0")
    result = cli("validate", "--all", "--root", project)
    assert result.returncode == 2  # as from render and diff
    assert "environments/prd.yaml:" in result.stderr and "redis.quorum" in result.stderr
    assert "environments/dev.yaml:" in result.stderr and "app.replicas" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_spec_keeps_machine_formats_intact(project: Path) -> None:
    replace_in(project / "environments" / "prd.yaml", "  quorum: 2\n", "  quorum: 4\n")
    result = cli("validate", "prd", "--format", "json", "--root", project)
    assert result.returncode == 2
    [problem] = json.loads(result.stdout)["problems"]
    quorum = 1 + (project / "environments" / "prd.yaml").read_text().splitlines().index("  quorum: 4")
    assert (problem["file"], problem["line"], problem["path"]) == ("environments/prd.yaml", quorum, "redis.quorum")


def test_a_broken_template_is_bad_input_at_its_line(project: Path) -> None:
    (project / "templates" / "bad.yaml.j2").write_text("a: 1\nb: {{ spec.nope }}\n")
    result = cli("validate", "dev", "--root", project)
    assert result.returncode == 2
    assert "templates/bad.yaml.j2:2: error: undefined: no key 'nope'" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("validate", "staging"), "unknown environment 'staging'"),
    (("validate", "dev", "--path", "x.yaml"), "give environments or --path, not both"),
    (("validate", "--path", "missing.yaml"), "missing.yaml: error: no such file or folder"),
    (("validate", "--all", "--format", "xml"), "--format must be one of text, json, github, sarif"),
])
def test_bad_input_exits_2(project: Path, args: tuple[str, ...], message: str) -> None:
    result = cli(*args, "--root", project, cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_path_validates_hand_written_files_outside_any_repository(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "deployment.yaml").write_text(DEPLOYMENT)
    (tmp_path / "app" / "broken.yml").write_text("a: [1, 2\nb: 3\n")
    result = cli("validate", "--path", "app", cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "app/deployment.yaml:16: error: spec.template.spec.containers[0].imagePort:" in out, out
    assert "app/broken.yml:2:" in out and "not valid YAML" in out and "[yaml]" in out


def test_path_groups_files_by_rendered_environment(repo_root: Path, tmp_path: Path) -> None:
    shutil.copytree(repo_root / "rendered", tmp_path / "rendered")
    (tmp_path / "gitopsgen.toml").write_text("")
    result = cli("validate", "--path", tmp_path / "rendered", cwd=tmp_path.parent)
    assert result.returncode == 0, result.stdout  # dev's tailnet values and prd's tunnel never meet


def test_json_format_is_versioned_and_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT)
    result = cli("validate", "--path", "deployment.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["version"] == 1 and report["tool"]["name"] == "gitopsgen"
    assert report["summary"]["errors"] == 1 and report["summary"]["targets"] == ["deployment.yaml"]
    [problem] = report["problems"]
    assert (problem["file"], problem["line"], problem["rule"], problem["severity"]) == (
        "deployment.yaml", 16, "schema", "error")
    assert problem["path"] == "spec.template.spec.containers[0].imagePort"


def test_github_format_writes_escaped_workflow_commands(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT)
    result = cli("validate", "--path", "deployment.yaml", "--format", "github", cwd=tmp_path)
    [line] = result.stdout.splitlines()
    assert line.startswith("::error file=deployment.yaml,line=16,title=gitopsgen schema::")
    assert "\n" not in line.partition("::")[2]


def test_sarif_format_has_rules_results_and_regions(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT)
    result = cli("validate", "--path", "deployment.yaml", "--format", "sarif", cwd=tmp_path)
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "gitopsgen"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["schema"]
    [res] = run["results"]
    assert res["ruleId"] == "schema" and res["level"] == "error" and res["ruleIndex"] == 0
    assert res["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "deployment.yaml"},
                                                       "region": {"startLine": 16}}
