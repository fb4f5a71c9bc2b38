"""Findings point where the user edits: the rendered line, the template line that wrote it, and the
spec line of any value involved (issue 10, item 1), for every layer that checks rendered output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gitopsgen.core.errors import TemplateError
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.run.render import RenderOptions, render, render_trees
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import SchemaOptions, validate_tree
from kit import cli, replace_in


def _line(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if needle in text)


def _col(path: Path, needle: str, value: str) -> str:
    """`file:line:col` of `value` on the first line containing `needle` (as the spec loader reports it)."""
    line = _line(path, needle)
    text = path.read_text().splitlines()[line - 1]
    return f"{path.parent.name}/{path.name}:{line}:{text.index(value, text.index(needle)) + 1}"


def _tree(project: Path, env: str) -> RenderedTree:
    [item] = render_trees(project, [env])
    return item.tree


# --- the line map itself ---------------------------------------------------------------------------


def _literal_prefix(template_line: str) -> str:
    return re.split(r"\{\{|\{%", template_line, maxsplit=1)[0].strip()


def test_every_rendered_line_of_the_real_templates_maps_to_the_line_that_wrote_it(
        rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    checked = 0
    for tree in rendered.values():
        for file in tree.files.values():
            assert file.raw is not None and file.trace is not None
            for number, text in enumerate(file.raw.splitlines(), 1):
                if not text.strip():
                    continue
                origin = file.trace.origin(number)
                assert origin is not None and origin.template and origin.line, (file.path, number, text)
                source = (repo_root / origin.template).read_text().splitlines()[origin.line - 1]
                if "{{" not in source and "{%" not in source:
                    assert source.strip() == text.strip(), (file.path, number, origin)
                else:  # an expression line: what comes before the first expression is written as is
                    assert text.strip().startswith(_literal_prefix(source)), (file.path, number, origin, source)
                checked += 1
    assert checked > 1000


def test_macro_output_points_into_the_macro_and_spec_values_at_their_spec_line(
        rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    data = rendered["prd"].files["apps/data.yaml"]  # written by {{ argo.application(...) }}
    namespace = data.origin(0, ("spec", "destination", "namespace"))
    assert namespace is not None and namespace.template == "templates/apps/_application.j2"
    assert "namespace: {{ namespace }}" in (repo_root / namespace.template).read_text().splitlines()[namespace.line - 1]
    repo = data.origin(0, ("spec", "source", "repoURL"))
    assert repo is not None
    url = "https://github.com/example-org/platform-gitops.git"
    assert [loc for loc, _ in repo.spec] == [_col(repo_root / "environments/defaults.yaml", f"repoURL: {url}", url)]


# --- each finding layer ----------------------------------------------------------------------------


def test_a_schema_finding_names_the_template_line_and_the_spec_value(project: Path) -> None:
    template = project / "templates/manifests/example-api/deployment.yaml.j2"
    replace_in(template, "revisionHistoryLimit: 3", "revisionHistoryLimit: {{ a.cacheTtl | q }}")
    tree = _tree(project, "dev")
    [problem] = [p for p in validate_tree(tree, SchemaOptions("1.33"))
                 if p.rule == "schema" and p.severity is Severity.ERROR]
    assert problem.path == "spec.revisionHistoryLimit" and "is not of type 'integer'" in problem.message
    assert problem.file == "rendered/dev/manifests/example-api/deployment.yaml"
    assert (problem.template, problem.template_line) == (
        "templates/manifests/example-api/deployment.yaml.j2", _line(template, "revisionHistoryLimit"))
    assert problem.spec_locations == (_col(project / "environments/dev.yaml", "cacheTtl:", "1m"),)


def test_a_rule_finding_names_the_template_line_and_the_spec_value(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "  quorum: 2", "  quorum: 1")
    tree = _tree(project, "prd")
    [problem] = [p for p in validate_tree(tree, SchemaOptions("1.33")) if p.rule == "redis-sentinel-quorum"]
    assert problem.severity is Severity.WARNING and "not a majority" in problem.message
    assert problem.file == "rendered/prd/manifests/data/redis.yaml"
    assert (problem.template, problem.template_line) == (
        "templates/manifests/data/redis.yaml.j2", _line(project / "templates/manifests/data/redis.yaml.j2", "quorum:"))
    assert problem.spec_locations == (_col(project / "environments/prd.yaml", "quorum:", "1"),)


def test_a_rule_finding_on_a_derived_value_names_the_template_line_only(project: Path) -> None:
    template = project / "templates/manifests/example-api/deployment.yaml.j2"
    replace_in(template, "image: {{ a.image | q }}", "image: {{ a.image.split(':')[0] | q }}")
    tree = _tree(project, "dev")
    [problem] = [p for p in validate_tree(tree, SchemaOptions("1.33")) if p.rule == "images-pinned"]
    assert (problem.template, problem.template_line) == (
        "templates/manifests/example-api/deployment.yaml.j2", _line(template, "image: {{"))
    assert problem.spec_locations == ()  # a string built from the spec value is not the spec value


def test_a_chart_values_finding_names_the_template_line_and_the_spec_value(project: Path, shared_schemas: Path) -> None:
    template = project / "templates/values/external-dns.yaml.j2"
    replace_in(template, "sources:\n", "logLevel: {{ spec.externalDns.txtOwnerId | q }}\nsources:\n")
    tree = _tree(project, "prd")
    options = SchemaOptions("1.33", chart_schema_locations=(str(shared_schemas / "charts"),))
    [problem] = [p for p in validate_tree(tree, options) if p.rule == "chart-values"
                 and p.severity is Severity.ERROR]
    assert problem.path == "logLevel" and problem.file == "rendered/prd/values/external-dns.yaml"
    assert (problem.template, problem.template_line) == ("templates/values/external-dns.yaml.j2",
                                                         _line(template, "logLevel:"))
    assert problem.spec_locations == (_col(project / "environments/prd.yaml", "txtOwnerId:", "example-prd"),)


def test_a_spec_value_the_output_guard_refuses_names_its_spec_line(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "namespace: example-prd", "namespace: 'yes'")
    with pytest.raises(TemplateError) as caught:
        render_trees(project, ["prd"])
    problem = caught.value.problems[0]
    assert problem.file.startswith("templates/") and problem.line is not None
    assert "would be read back as a boolean" in problem.message
    assert problem.spec_locations == (_col(project / "environments/prd.yaml", "namespace:", "'yes'"),)


def test_invalid_yaml_from_a_template_names_the_template_line_not_an_unwritten_file(project: Path) -> None:
    template = project / "templates/manifests/example-api/service.yaml.j2"
    replace_in(template, "type: ClusterIP", "type: ClusterIP\n  type: {{ spec.app.name }}")
    with pytest.raises(TemplateError) as caught:
        render_trees(project, ["dev"])
    [problem] = caught.value.problems
    assert "duplicate key" in problem.message
    assert (problem.file, problem.line) == ("templates/manifests/example-api/service.yaml.j2",
                                            _line(template, "type: {{"))
    assert problem.spec_locations == (_col(project / "environments/defaults.yaml", "name: example-api", "example-api"),)


# --- where the finding is shown --------------------------------------------------------------------


def test_a_written_file_keeps_its_rendered_line_first_and_shows_template_and_spec_lines(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "  quorum: 2", "  quorum: 1")
    result = cli("render", "prd", "--root", project)
    assert result.returncode == 0, result.stderr
    redis = project / "rendered/prd/manifests/data/redis.yaml"
    rendered_line = _line(redis, "quorum:")
    template_line = _line(project / "templates/manifests/data/redis.yaml.j2", "quorum:")
    spec = _col(project / "environments/prd.yaml", "quorum:", "1")
    expected = (f"rendered/prd/manifests/data/redis.yaml:{rendered_line}: warning: spec.redisSentinelConfig.quorum: "
                f"quorum 1 is not a majority of 3 sentinels (RedisSentinel example-prd/example-redis) "
                f"[redis-sentinel-quorum]\n"
                f"    from templates/manifests/data/redis.yaml.j2:{template_line}\n"
                f"    value from {spec}\n")
    assert expected in result.stderr


def test_a_file_that_was_not_written_is_reported_at_its_template_line(project: Path) -> None:
    template = project / "templates/manifests/data/redis.yaml.j2"
    replace_in(template, "quorum: {{ rs.quorum | q }}", "quorum: {{ rs.quorum }}")
    result = render(RenderOptions(root=project, envs=("prd",)))
    assert result.exit_code == 1 and not (project / "rendered").exists()
    [problem] = [p for p in result.envs[0].problems if p.rule == "redis-sentinel-quorum"]
    line = _line(template, "quorum:")
    assert (problem.file, problem.line) == ("templates/manifests/data/redis.yaml.j2", line)
    assert problem.rendered is not None and problem.rendered.startswith("rendered/prd/manifests/data/redis.yaml:")
    assert problem.format().splitlines()[:3] == [
        f"templates/manifests/data/redis.yaml.j2:{line}: error: spec.redisSentinelConfig.quorum: quorum must be a "
        "quoted string, got 2 (RedisSentinel example-prd/example-redis) [redis-sentinel-quorum]",
        f"    rendered as {problem.rendered} (not written)",
        f"    value from {_col(project / 'environments/prd.yaml', 'quorum:', '2')}",
    ]


def test_problems_without_a_line_sort_before_those_with_one() -> None:
    problems = [Problem("a", 3), Problem("a"), Problem("a", 1, 2), Problem("a", 1)]
    assert [(p.line, p.column) for p in sorted(problems)] == [(None, None), (1, None), (1, 2), (3, None)]
