"""Spec problems are reported at file:line:col with the YAML path, all at once, as data."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gitopsgen.core.errors import SpecError, UsageError
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.spec import load


def write(project: Path, name: str, text: str) -> None:
    (project / "environments" / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip("\n"))


def problems_of(project: Path, env: str = "prd") -> list[Problem]:
    with pytest.raises(SpecError) as caught:
        load(project, env)
    return caught.value.problems


def at(problem: Problem) -> tuple[str, int | None, int | None, str]:
    return (problem.file, problem.line, problem.column, problem.path)


def prd_with(project: Path, old: str, new: str) -> None:
    path = project / "environments" / "prd.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(project: Path, needle: str, env: str = "prd") -> int:
    lines = (project / "environments" / f"{env}.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_real_specs_load_without_problems(repo_root: Path) -> None:
    for env in ("dev", "prd"):
        loaded = load(repo_root, env)
        assert loaded.model.namespace == f"example-{env}"
        assert loaded.warnings == ()


def test_missing_field_points_at_its_parent_key(project: Path) -> None:
    prd_with(project, "  quorum: 2\n", "")
    [problem] = problems_of(project)
    assert at(problem) == ("environments/prd.yaml", line_of(project, "redis:"), 1, "redis.quorum")
    assert problem.message == "required key is missing"


def test_wrong_type_points_at_the_value_and_suggests_quoting(project: Path) -> None:
    prd_with(project, "  instances: 3\n", "  instances: three\n")
    [problem] = problems_of(project)
    assert at(problem) == ("environments/prd.yaml", line_of(project, "instances: three"), 14, "postgres.instances")
    assert "valid integer" in problem.message and "'three'" in problem.message


def test_number_where_a_string_belongs_hints_at_quotes(project: Path) -> None:
    prd_with(project, "  instances: 3\n", "  instances: 3\n  version: 17.5\n")
    [problem] = problems_of(project)
    assert at(problem) == ("environments/prd.yaml", line_of(project, "version: 17.5"), 12, "postgres.version")
    assert problem.hint == 'quote it so YAML keeps it a string: "17.5"'


def test_unknown_key_is_refused_with_a_suggestion(project: Path) -> None:
    prd_with(project, "  hostname: api.example.com\n", "  hostname: api.example.com\n  replcas: 3\n")
    [problem] = problems_of(project)
    assert at(problem) == ("environments/prd.yaml", line_of(project, "replcas"), 3, "app.replcas")
    assert problem.message == "unknown key"
    assert problem.hint == "did you mean 'replicas'?"


def test_duplicate_key_is_a_yaml_error_at_the_second_occurrence(project: Path) -> None:
    prd_with(project, "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n")
    [problem] = problems_of(project)
    first = line_of(project, "replicas: 2")
    assert (problem.file, problem.line, problem.column) == ("environments/prd.yaml", first + 1, 3)
    assert problem.message == "invalid YAML: duplicate key 'replicas'"
    assert problem.hint == f"first defined on line {first}"


def test_yaml_syntax_error_reports_line_and_column(project: Path) -> None:
    write(project, "prd", """
        namespace: example-prd
        app:
          replicas: [1, 2
        redis: {}
        """)
    [problem] = problems_of(project)
    assert (problem.file, problem.line) == ("environments/prd.yaml", 4)
    assert problem.rule == "yaml" and problem.message.startswith("invalid YAML:")


def test_every_problem_of_a_file_is_reported_at_once(project: Path) -> None:
    prd_with(project, "  replicas: 2\n", "  replicas: -1\n")
    prd_with(project, "  quorum: 2\n", "  quorum: 5\n")
    prd_with(project, "  policy: sync\n", "  policy: always\n")
    paths = [p.path for p in problems_of(project)]
    assert paths == ["app.replicas", "redis.quorum", "externalDns.policy"]


def test_error_in_an_inherited_default_points_at_the_defaults_file(project: Path) -> None:
    defaults = project / "environments" / "defaults.yaml"
    defaults.write_text(defaults.read_text().replace("cacheTtl: 10m", "cacheTtl: ten minutes"))
    [problem] = problems_of(project)  # prd inherits it; dev overrides cacheTtl
    lines = defaults.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "ten minutes" in text)
    assert at(problem) == ("environments/defaults.yaml", line, 13, "app.cacheTtl")
    load(project, "dev")  # dev sets its own cacheTtl: unaffected


def test_unknown_union_tag_lists_the_choices(project: Path) -> None:
    prd_with(project, "  mode: sentinel\n", "  mode: cluster\n")
    [problem] = problems_of(project)
    assert at(problem) == ("environments/prd.yaml", line_of(project, "mode: cluster"), 9, "redis.mode")
    assert problem.message == "must be one of 'standalone', 'sentinel', got 'cluster'"


def test_field_of_the_wrong_variant_is_an_unknown_key(project: Path) -> None:
    (project / "environments" / "dev.yaml").write_text(
        (project / "environments" / "dev.yaml").read_text().replace("  mode: standalone\n",
                                                                    "  mode: standalone\n  quorum: 2\n"))
    [problem] = problems_of(project, "dev")
    assert problem.path == "redis.quorum" and problem.message == "unknown key"


def test_cross_field_rules_locate_the_field(project: Path) -> None:
    prd_with(project, "  hostname: api.example.com\n", "  hostname: api.example.org\n")
    [problem] = problems_of(project)
    assert at(problem) == ("environments/prd.yaml", line_of(project, "api.example.org"), 13, "app.hostname")
    assert "outside externalDns.domainFilters" in problem.message


def test_quorum_below_majority_is_a_warning_not_an_error(project: Path) -> None:
    prd_with(project, "  quorum: 2\n", "  quorum: 1\n")
    loaded = load(project, "prd")
    [warning] = loaded.warnings
    assert warning.severity is Severity.WARNING and warning.path == "redis.quorum"


@pytest.mark.parametrize("value, what", [
    ("dp.st.prd.0123456789abcdefghijKLMNOP", "a Doppler token"),
    ("-----BEGIN RSA PRIVATE KEY-----", "a private key"),
    ("https://user:hunter2@example.com/x", "credentials in a URL"),
])
def test_literal_secret_values_are_refused(project: Path, value: str, what: str) -> None:
    prd_with(project, "  hostname: api.example.com\n",
             f'  hostname: api.example.com\n  env:\n    LOG_TARGET: "{value}"\n')
    problems = problems_of(project)
    assert [(p.path, p.rule) for p in problems] == [("app.env.LOG_TARGET", "secret")]
    assert what in problems[0].message


def test_secret_named_variable_in_plain_env_is_refused(project: Path) -> None:
    prd_with(project, "  hostname: api.example.com\n", "  hostname: api.example.com\n  env:\n    DB_PASSWORD: x\n")
    [problem] = problems_of(project)
    assert problem.path == "app.env.DB_PASSWORD" and problem.rule == "secret"


def test_doppler_key_fields_only_take_secret_names(project: Path) -> None:
    prd_with(project, "  credentialsKey: CLOUDFLARED_TUNNEL_CREDENTIALS\n", "  credentialsKey: s3cr3t-value\n")
    [problem] = problems_of(project)
    assert problem.path == "edge.credentialsKey"
    assert "UPPER_SNAKE_CASE" in problem.message


def test_latest_image_tag_is_refused(project: Path) -> None:
    defaults = project / "environments" / "defaults.yaml"
    defaults.write_text(defaults.read_text().replace("example-api:1.8.3", "example-api:latest"))
    [problem] = problems_of(project)
    assert problem.path == "app.image" and "latest" in problem.message


def test_unknown_environment_names_the_known_ones(project: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load(project, "staging")
    [problem] = caught.value.problems
    assert problem.message == "unknown environment 'staging'"
    assert problem.hint == "known environments: dev, prd"


def test_problems_format_as_file_line_col_path_message_rule(project: Path) -> None:
    prd_with(project, "  quorum: 2\n", "  quorum: 4\n")
    [problem] = problems_of(project)
    line = line_of(project, "quorum: 4")
    assert problem.format() == (
        f"environments/prd.yaml:{line}:11: error: redis.quorum: must be at most redis.sentinels (3), got 4 [spec]")


def test_missing_keys_are_asked_for_in_the_environment_file(project: Path) -> None:
    write(project, "dev", """
        namespace: example-dev
        app:
          cacheTtl: 1m
        """)
    problems = {p.path: p for p in problems_of(project, "dev")}
    # app is in dev.yaml: ask there; postgres and redis only exist in defaults.yaml: top of dev.yaml
    assert at(problems["app.replicas"]) == ("environments/dev.yaml", 2, 1, "app.replicas")
    assert at(problems["postgres.instances"]) == ("environments/dev.yaml", 1, 1, "postgres.instances")
    assert at(problems["redis.mode"]) == ("environments/dev.yaml", 1, 1, "redis.mode")
    assert problems["redis.mode"].hint == "one of 'standalone', 'sentinel'"


def test_an_empty_environment_file_lists_what_it_must_set(project: Path) -> None:
    write(project, "dev", "")
    paths = {p.path for p in problems_of(project, "dev")}
    assert {"namespace", "edge", "app.replicas", "redis.mode", "postgres.storage"} <= paths


def test_every_discriminated_union_of_the_spec_is_known_to_the_diagnostics() -> None:
    import typing

    from pydantic import BaseModel

    from gitopsgen.spec.diagnostics import UNION_TAGS
    from gitopsgen.spec.models import Environment

    found, seen, queue = set(), set(), [Environment]
    while queue:
        model = queue.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            if isinstance(info.discriminator, str):
                found.add(info.discriminator)
            stack = [info.annotation]
            while stack:
                annotation = stack.pop()
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    queue.append(annotation)
                stack.extend(typing.get_args(annotation))
    assert found and found <= set(UNION_TAGS)
