"""The CLI through the installed console script (`gitopsgen`), as users and CI run it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from gitopsgen.spec.loader import load_spec_source
from kit import cli


def test_help_lists_the_commands() -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "render" in result.stdout and "schema" in result.stdout


def test_render_all_then_check_through_the_console_script(project: Path) -> None:
    result = cli("render", "--all", "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert "rendered/dev:" in result.stdout and "rendered/prd:" in result.stdout
    assert (project / "rendered" / "prd" / "manifests" / "example-api" / "deployment.yaml").is_file()

    check = cli("render", "--all", "--check", "--root", str(project))
    assert check.returncode == 0 and "in sync" in check.stdout


def test_root_defaults_to_the_current_directory(project: Path) -> None:
    assert cli("render", "dev", cwd=project).returncode == 0
    assert (project / "rendered" / "dev").is_dir() and not (project / "rendered" / "prd").exists()


def test_check_reports_stale_files_and_exits_1(project: Path) -> None:
    assert cli("render", "--all", "--root", str(project)).returncode == 0
    service = project / "rendered" / "dev" / "manifests" / "example-api" / "service.yaml"
    service.write_text(service.read_text() + "# edited by hand\n")
    result = cli("render", "--all", "--check", "--root", str(project))
    assert result.returncode == 1
    assert "rendered/dev/manifests/example-api/service.yaml: differs from the render" in result.stdout
    assert "run `gitopsgen render dev`" in result.stderr
    assert service.read_text().endswith("# edited by hand\n")  # --check writes nothing


def test_bad_spec_gives_located_message_exit_2_and_no_traceback(project: Path) -> None:
    prd = project / "environments" / "prd.yaml"
    prd.write_text(prd.read_text().replace("  quorum: 2\n", "  quorum: 4\n"))
    result = cli("render", "prd", "--root", str(project))
    assert result.returncode == 2
    line = next(i for i, t in enumerate(prd.read_text().splitlines(), 1) if "quorum: 4" in t)
    assert result.stderr.splitlines() == [
        f"environments/prd.yaml:{line}:11: error: redis.quorum: must be at most redis.sentinels (3), got 4 [spec]"]
    assert "Traceback" not in result.stderr
    assert not (project / "rendered").exists()


def test_debug_shows_the_traceback(project: Path) -> None:
    result = cli("render", "nope", "--root", str(project), "--debug")
    assert result.returncode == 2 and "Traceback" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("render", "staging"), "unknown environment 'staging'"),
    (("render",), "name at least one environment, or pass --all"),
    (("render", "dev", "--all"), "give environment names or --all, not both"),
])
def test_usage_errors_exit_2(project: Path, args: tuple[str, ...], message: str) -> None:
    result = cli(*args, "--root", str(project))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_broken_template_exits_2_with_template_location(project: Path) -> None:
    (project / "templates" / "bad.yaml.j2").write_text("a: {{ spec.nope }}\n")
    result = cli("render", "--all", "--root", str(project))
    assert result.returncode == 2
    assert result.stderr.startswith("templates/bad.yaml.j2:1: error: undefined: no key 'nope'")


def test_invalid_output_exits_1_without_writing(project: Path) -> None:
    service = project / "templates" / "manifests" / "example-api" / "service.yaml.j2"
    service.write_text(service.read_text().replace("type: ClusterIP", "type: 5"))
    result = cli("render", "dev", "--root", str(project))
    assert result.returncode == 1
    line = service.read_text().splitlines().index("  type: 5") + 1
    # nothing was written: the finding points at the template line, the rendered one comes second
    assert f"templates/manifests/example-api/service.yaml.j2:{line}: error: spec.type:" in result.stderr
    assert "rendered as rendered/dev/manifests/example-api/service.yaml:11 (not written)" in result.stderr
    assert "rendered/dev: not written: 1 error" in result.stderr
    assert not (project / "rendered").exists()


def test_schema_describes_the_merged_real_specs(repo_root: Path) -> None:
    result = cli("spec-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for env in ("dev", "prd"):
        jsonschema.validate(load_spec_source(repo_root, env).data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**load_spec_source(repo_root, "prd").data, "typo": 1}, schema)


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("gitopsgen ")


def test_partial_schema_accepts_each_file_alone_but_still_refuses_typos(repo_root: Path) -> None:
    result = cli("spec-schema", "--partial")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    from ruamel.yaml import YAML

    for name in ("defaults", "dev", "prd"):
        data = YAML(typ="safe").load((repo_root / "environments" / f"{name}.yaml").read_text())
        jsonschema.validate(data, schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**data, "namespce": "x"}, schema)
    full = json.loads(cli("spec-schema").stdout)
    with pytest.raises(jsonschema.ValidationError):  # the merged schema needs what defaults provide
        jsonschema.validate(YAML(typ="safe").load((repo_root / "environments" / "dev.yaml").read_text()), full)


def test_the_editor_schema_is_committed_current_and_named_by_every_example(repo_root: Path) -> None:
    generated = cli("spec-schema", "--partial")
    assert generated.returncode == 0
    committed = repo_root / "environments" / "spec.schema.json"
    assert committed.read_text() == generated.stdout, "run `make spec-schema` and commit the result"
    for name in ("defaults", "dev", "prd"):
        first = (repo_root / "environments" / f"{name}.yaml").read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=spec.schema.json"
        jsonschema.validate(_yaml(repo_root / "environments" / f"{name}.yaml"), json.loads(committed.read_text()))


def _yaml(path: Path) -> object:
    import yaml

    return yaml.safe_load(path.read_text())


def test_the_spec_reference_is_generated_from_the_models_and_current(repo_root: Path) -> None:
    generated = cli("spec-schema", "--format", "markdown")
    assert generated.returncode == 0
    assert (repo_root / "docs" / "spec.md").read_text() == generated.stdout, "run `make docs` and commit the result"
    text = generated.stdout
    for key in ("`namespace`", "`kubernetesVersion`", "`quorum`", "`tunnelId`", "`passwordKey`"):
        assert key in text, key
    assert "## RedisSentinel" in text and "[Storage](#storage)" in text
    assert cli("spec-schema", "--format", "yaml").returncode == 2
