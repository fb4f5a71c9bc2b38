"""The render pipeline on real specs and templates in scratch projects: writes, checks, failures."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import yaml as pyyaml

from gitopsgen.core.errors import GitopsgenError, SpecError, TemplateError
from gitopsgen.core.problems import Severity
from gitopsgen.run.render import RenderOptions, render, render_trees
from gitopsgen.tree.write import Change
from kit import replace_in


def run(root: Path, *envs: str, check: bool = False) -> int:
    options = RenderOptions(root=root, envs=envs, all_envs=not envs, check=check)
    return render(options).exit_code


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    base = root / "rendered"
    return {p.relative_to(base).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(base.rglob("*")) if p.is_file()}




def test_render_writes_every_environment_and_reports_changes(project: Path) -> None:
    result = render(RenderOptions(root=project, all_envs=True))
    assert result.exit_code == 0
    assert [e.env for e in result.envs] == ["dev", "prd"]
    for env in result.envs:
        assert env.written and env.changes and all(c.change is Change.ADDED for c in env.changes)
        for path in env.tree.files:
            assert (project / "rendered" / env.env / path).read_bytes() == env.tree.files[path].data


def test_rendering_twice_gives_identical_bytes_and_touches_nothing(project: Path, tmp_path: Path) -> None:
    assert run(project) == 0
    first = snapshot(project)
    again = render(RenderOptions(root=project, all_envs=True))
    assert again.exit_code == 0 and all(not e.changes for e in again.envs)
    assert snapshot(project) == first  # same bytes, same mtimes: nothing rewritten

    other = tmp_path / "other"
    other.mkdir()
    for name in ("environments", "templates"):
        os.symlink(project / name, other / name)
    assert run(other) == 0
    assert {k: v[0] for k, v in snapshot(other).items()} == {k: v[0] for k, v in first.items()}


def test_committed_rendered_tree_is_in_sync(repo_root: Path) -> None:
    result = render(RenderOptions(root=repo_root, envs=("dev", "prd"), check=True))
    assert [(e.env, e.changes) for e in result.envs] == [("dev", []), ("prd", [])]
    assert result.exit_code == 0


def test_bad_spec_leaves_rendered_tree_byte_identical(project: Path) -> None:
    assert run(project) == 0
    before = snapshot(project)
    replace_in(project / "environments" / "prd.yaml", "replicas: 2", "replicas: many")
    with pytest.raises(SpecError):
        run(project)
    assert snapshot(project) == before


def test_broken_template_leaves_rendered_tree_byte_identical(project: Path) -> None:
    assert run(project) == 0
    before = snapshot(project)
    replace_in(project / "templates" / "manifests" / "example-api" / "service.yaml.j2", "type: ClusterIP",
         "type: {{ spec.app.nothing }}")
    with pytest.raises(TemplateError) as caught:
        run(project)
    [problem] = caught.value.problems
    assert problem.file == "templates/manifests/example-api/service.yaml.j2"
    assert problem.line == 10 and "no key 'nothing'" in problem.message
    assert snapshot(project) == before


def test_invalid_output_is_reported_at_the_template_line_and_not_written(project: Path) -> None:
    assert run(project) == 0
    before = snapshot(project)
    template = project / "templates" / "manifests" / "example-api" / "service.yaml.j2"
    replace_in(template, "protocol: TCP", "protocol: TCP\n      nodePortt: 3")
    line = template.read_text().splitlines().index("      nodePortt: 3") + 1
    result = render(RenderOptions(root=project, all_envs=True))
    assert result.exit_code == 1
    problems = [p for e in result.envs for p in e.problems if p.severity is Severity.ERROR]
    # the files on disk are the old ones: a rendered line would point at nothing, the template line does
    assert [(p.file, p.line, p.path, p.rendered) for p in problems] == [
        ("templates/manifests/example-api/service.yaml.j2", line, "spec.ports[0].nodePortt",
         "rendered/dev/manifests/example-api/service.yaml:19"),
        ("templates/manifests/example-api/service.yaml.j2", line, "spec.ports[0].nodePortt",
         "rendered/prd/manifests/example-api/service.yaml:19"),
    ]
    assert "nodePortt" in problems[0].message
    assert snapshot(project) == before


def test_one_bad_environment_blocks_writing_all_of_them(project: Path) -> None:
    replace_in(project / "environments" / "dev.yaml", "replicas: 1", "replicas: 0")
    with pytest.raises(SpecError) as caught:
        run(project)
    assert [p.file for p in caught.value.problems] == ["environments/dev.yaml"]
    assert not (project / "rendered").exists()


def test_files_the_render_no_longer_produces_are_pruned(project: Path) -> None:
    assert run(project) == 0
    stale = project / "rendered" / "dev" / "manifests" / "old" / "leftover.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("kind: Old\n")
    (project / "templates" / "manifests" / "example-api" / "httproute.yaml.j2").unlink()
    result = render(RenderOptions(root=project, envs=("dev",)))  # the hand-made file (no header) is kept
    assert {(c.path, c.change) for c in result.envs[0].changes} == {
        ("manifests/example-api/httproute.yaml", Change.REMOVED)}
    assert result.envs[0].kept == ["manifests/old/leftover.yaml"] and stale.exists()
    result = render(RenderOptions(root=project, envs=("dev",), prune=True))
    assert {(c.path, c.change) for c in result.envs[0].changes} == {("manifests/old/leftover.yaml", Change.REMOVED)}
    assert result.envs[0].pruned == ["manifests/old/leftover.yaml"]
    assert not stale.exists() and not stale.parent.exists()
    assert not (project / "rendered" / "dev" / "manifests" / "example-api" / "httproute.yaml").exists()
    assert sorted(p.name for p in (project / "rendered").iterdir()) == ["dev", "prd"]  # no temp dirs left


def test_check_exit_codes_and_it_never_writes(project: Path) -> None:
    assert run(project, check=True) == 1  # nothing rendered yet: every file missing
    assert not (project / "rendered").exists()
    assert run(project) == 0
    assert run(project, check=True) == 0

    deployment = project / "rendered" / "prd" / "manifests" / "example-api" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("replicas: 2", "replicas: 3"))
    extra = project / "rendered" / "dev" / "hand-made.yaml"
    extra.write_text("a: 1\n")
    before = snapshot(project)
    result = render(RenderOptions(root=project, all_envs=True, check=True))
    assert result.exit_code == 1
    assert [(e.env, [(c.path, c.change) for c in e.changes]) for e in result.envs] == [
        ("dev", []),  # a hand-made file is not drift: a render keeps it (and names it)
        ("prd", [("manifests/example-api/deployment.yaml", Change.MODIFIED)]),
    ]
    assert result.envs[0].kept == ["hand-made.yaml"]
    assert snapshot(project) == before


def _deployment_env(tree_root: Path, env: str) -> dict[str, object]:
    text = (tree_root / "rendered" / env / "manifests" / "example-api" / "deployment.yaml").read_text()
    [doc] = pyyaml.safe_load_all(text)  # YAML 1.1, as Kubernetes reads it
    container = doc["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container["env"]}


def test_yaml_11_ambiguous_spec_strings_stay_strings_for_kubernetes(project: Path) -> None:
    values = {"FLAG_A": "yes", "FLAG_B": "on", "FLAG_C": "NO", "OCTAL": "010", "SEXA": "1:20",
              "FLOAT": "1.0", "NULLISH": "~", "EMPTY": ""}
    body = "".join(f'    {k}: "{v}"\n' for k, v in values.items())
    replace_in(project / "environments" / "prd.yaml", "  hostname: api.example.com\n",
         f"  hostname: api.example.com\n  env:\n{body}")
    assert run(project, "prd") == 0
    env = _deployment_env(project, "prd")
    for key, value in values.items():
        assert env[key] == value and isinstance(env[key], str)


HOSTILE = [
    "a\nb: c", "x: y", "# not a comment", "*alias", "&anchor x", "{a: 1}", "[1, 2]", "- item",
    '"quoted"', "'single'", "trailing: ", "tab\tin", "back\\slash", "\u2028sep", "multi\n  line\n",
    "--- \n...", "%YAML 1.1", "!!binary aGk=", "? key", "@at", "`tick`", "| block", "> folded",
]


def test_hostile_spec_strings_cannot_change_document_structure(project: Path) -> None:
    body = "".join(f"    HOSTILE_{i}: {pyyaml.safe_dump(v).strip().removesuffix('...').strip()}\n"
                   for i, v in enumerate(HOSTILE))
    replace_in(project / "environments" / "prd.yaml", "  hostname: api.example.com\n",
         f"  hostname: api.example.com\n  env:\n{body}")
    replace_in(project / "environments" / "defaults.yaml", "audience: https://api.example.com",
         'audience: "https://api.example.com\\n  injected: true # {x}"')
    [item] = render_trees(project, ["prd"])
    deployment = item.tree.files["manifests/example-api/deployment.yaml"]
    assert len(deployment.documents) == 1
    env = {e["name"]: e.get("value") for e in
           deployment.documents[0].data["spec"]["template"]["spec"]["containers"][0]["env"]}
    for i, value in enumerate(HOSTILE):
        assert env[f"HOSTILE_{i}"] == value
    assert env["SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES"] == (
        "https://api.example.com\n  injected: true # {x}")
    # and the canonical text reads back identically with YAML 1.1
    assert list(pyyaml.safe_load_all(deployment.text)) == [deployment.documents[0].data]


def test_unquoted_interpolation_of_an_unsafe_string_is_a_template_error(project: Path) -> None:
    replace_in(project / "templates" / "manifests" / "example-api" / "deployment.yaml.j2",
         "value: {{ a.auth0.audience | q }}", "value: {{ a.auth0.scopes | join(' ') }}")
    with pytest.raises(TemplateError) as caught:
        render_trees(project, ["dev"])
    [problem] = caught.value.problems
    assert problem.file == "templates/manifests/example-api/deployment.yaml.j2"
    lines = (project / "templates/manifests/example-api/deployment.yaml.j2").read_text().splitlines()
    assert lines[problem.line - 1].strip() == "value: {{ a.auth0.scopes | join(' ') }}"
    assert "could change the YAML structure" in problem.message and "| q" in problem.message


def test_template_that_renders_invalid_yaml_names_the_rendered_line(project: Path) -> None:
    (project / "templates" / "broken.yaml.j2").write_text("a: 1\nb: [\n")
    with pytest.raises(TemplateError) as caught:
        render_trees(project, ["dev"])
    [problem] = caught.value.problems
    assert problem.file == "templates/broken.yaml.j2" and "renders invalid YAML" in problem.message
    assert problem.line is not None


def test_template_that_renders_a_duplicate_key_is_refused(project: Path) -> None:
    (project / "templates" / "dup.yaml.j2").write_text("a: 1\na: 2\n")
    with pytest.raises(TemplateError) as caught:
        render_trees(project, ["dev"])
    [problem] = caught.value.problems
    assert "duplicate key" in problem.message and "rendered line 2" in problem.message
    assert (problem.file, problem.line) == ("templates/dup.yaml.j2", 2)  # the template line that wrote it


def test_template_syntax_error_has_its_line(project: Path) -> None:
    (project / "templates" / "syntax.yaml.j2").write_text("a: 1\n{% if %}\n")
    with pytest.raises(TemplateError) as caught:
        render_trees(project, ["dev"])
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("templates/syntax.yaml.j2", 2)


def test_empty_output_partials_and_output_function(project: Path) -> None:
    templates = project / "templates"
    (templates / "_macros.j2").write_text('{% macro label(v) %}label: {{ v | q }}{% endmacro %}\n')
    (templates / "only-prd.yaml.j2").write_text(textwrap.dedent("""\
        {% if env == "prd" %}
        {% import "_macros.j2" as m %}
        {{ m.label("hello world") }}
        {% endif %}
        """))
    (templates / "embed.yaml.j2").write_text(
        'copy: {{ output("manifests/example-api/service.yaml") | q }}\n'
        'sum: {{ output("manifests/example-api/service.yaml") | sha256 }}\n')
    trees = {item.tree.env: item.tree for item in render_trees(project, ["dev", "prd"])}
    assert "only-prd.yaml" not in trees["dev"].files
    assert trees["prd"].files["only-prd.yaml"].documents[0].data == {"label": "hello world"}
    assert not any(path.startswith("_") for path in trees["prd"].files)
    embedded = trees["dev"].files["embed.yaml"].documents[0].data
    assert embedded["copy"] == trees["dev"].files["manifests/example-api/service.yaml"].text
    assert len(embedded["sum"]) == 64


def test_all_input_problems_of_all_environments_come_in_one_error(project: Path) -> None:
    replace_in(project / "environments" / "dev.yaml", "replicas: 1", "replicas: 0")
    replace_in(project / "environments" / "prd.yaml", "replicas: 2", "replicas: 0")
    with pytest.raises(GitopsgenError) as caught:
        render_trees(project, ["dev", "prd"])
    assert [p.file for p in caught.value.problems] == ["environments/dev.yaml", "environments/prd.yaml"]


def test_leftovers_of_a_killed_run_are_cleaned_on_the_next_write(project: Path) -> None:
    (project / "rendered" / ".dev.new-abc123").mkdir(parents=True)
    (project / "rendered" / ".dev.new-abc123" / "half.yaml").write_text("a: 1\n")
    (project / "rendered" / ".dev.old-abc123").mkdir()
    assert run(project, "dev") == 0
    assert sorted(p.name for p in (project / "rendered").iterdir()) == ["dev"]


def test_environment_file_with_an_invalid_name_is_explained(project: Path) -> None:
    (project / "environments" / "Staging.yaml").write_text("namespace: x\n")
    with pytest.raises(GitopsgenError) as caught:
        run(project, "Staging")
    assert caught.value.problems[0].message == "'Staging' is not a valid environment name"


def test_render_all_removes_the_tree_of_a_deleted_environment(project: Path) -> None:
    assert run(project) == 0
    (project / "environments" / "dev.yaml").rename(project / "environments" / "qa.yaml")
    check = render(RenderOptions(root=project, all_envs=True, check=True))
    assert check.orphans == ["dev"] and check.exit_code == 1
    assert (project / "rendered" / "dev").is_dir()  # --check writes nothing
    # naming environments explicitly never touches the others
    assert render(RenderOptions(root=project, envs=("prd",), check=True)).exit_code == 0
    result = render(RenderOptions(root=project, all_envs=True))
    assert result.exit_code == 0 and result.orphans == ["dev"]
    assert sorted(p.name for p in (project / "rendered").iterdir()) == ["prd", "qa"]


def test_every_rendered_file_starts_with_its_deterministic_generated_header(repo_root: Path) -> None:
    for env in ("dev", "prd"):
        base = repo_root / "rendered" / env
        for path in sorted(base.rglob("*")):
            if path.is_file():
                first = path.read_text().splitlines()[0]
                template = f"templates/{path.relative_to(base).as_posix()}.j2"
                assert first == (f"# Generated by gitopsgen from environments/{env}.yaml and {template}; "
                                 f"edit those and run: gitopsgen render {env}"), path
    trees = [render_trees(repo_root, ["prd"])[0].tree for _ in range(2)]
    assert trees[0].bytes_by_path() == trees[1].bytes_by_path()


def test_files_a_render_leaves_unchanged_are_not_written_again(project: Path) -> None:
    assert run(project) == 0
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (project / "rendered").rglob("*") if p.is_file()}
    replace_in(project / "environments" / "prd.yaml", "replicas: 2\n  hostname", "replicas: 3\n  hostname")
    result = render(RenderOptions(root=project, envs=("prd",)))
    assert [(c.path, c.change) for c in result.envs[0].changes] == [
        ("manifests/example-api/deployment.yaml", Change.MODIFIED)]
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (project / "rendered").rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    rewritten = sorted(p.relative_to(project / "rendered").as_posix() for p in after if after[p] != before[p])
    assert rewritten == ["prd/manifests/example-api/deployment.yaml"]  # the rest: the same inode, the same time
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in after)
