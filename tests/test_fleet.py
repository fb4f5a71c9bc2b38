"""Fleet mode (issue 12): one Argo CD ApplicationSet (rendered/_fleet/) creates every environment's
root Application, instead of a bootstrap/ folder per environment applied by hand."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from gitopsgen.core.errors import ConfigError
from gitopsgen.core.problems import Severity
from gitopsgen.run.render import RenderOptions, render
from kit import cli, replace_in

FLEET_ON = "[fleet]\nenabled = true\n"


@pytest.fixture
def fleet(project: Path) -> Path:
    (project / "gitopsgen.toml").write_text(FLEET_ON)
    return project


def _docs(path: Path) -> list[Any]:
    return list(yaml.safe_load_all(path.read_text()))


def _appset(root: Path) -> dict[str, Any]:
    [doc] = _docs(root / "rendered" / "_fleet" / "applicationset.yaml")
    assert isinstance(doc, dict)
    return doc


def _go(template: Any, params: dict[str, Any]) -> Any:
    """What Argo CD's goTemplate makes of the expressions the fleet's templates use."""
    if isinstance(template, dict):
        return {k: _go(v, params) for k, v in template.items()}
    if isinstance(template, list):
        return [_go(v, params) for v in template]
    if not isinstance(template, str):
        return template

    def evaluate(expression: str) -> str:
        lookup = re.fullmatch(r'index \(dict ((?:"[^"]*" ?)*)\) \((.*)\)', expression)
        if lookup:  # sprig's dict, indexed by what the inner expression gives (a missing key: "")
            pairs = re.findall(r'"([^"]*)"', lookup.group(1))
            return dict(zip(pairs[::2], pairs[1::2], strict=True)).get(evaluate(lookup.group(2)), "")
        index = re.fullmatch(r"index \.path\.segments (\d+)", expression)
        if index:
            return str(params["path"]["segments"][int(index.group(1))])
        node: Any = params
        for part in expression.lstrip(".").split("."):
            node = node[part]  # missingkey=error
        return str(node)

    def value(match: re.Match[str]) -> str:
        return evaluate(match.group(1).strip())

    return re.sub(r"\{\{(.*?)\}\}", value, template)


def _generated(root: Path) -> dict[str, dict[str, Any]]:
    """The root Applications the ApplicationSet creates, by environment (git or list generator)."""
    appset = _appset(root)
    [generator] = appset["spec"]["generators"]
    params = []
    if "git" in generator:
        for folder in sorted(p for p in (root / "rendered").glob("*/apps") if p.is_dir()):
            path = folder.relative_to(root).as_posix()
            params.append({"path": {"path": path, "segments": path.split("/"), "basename": folder.name}})
    else:
        params = generator["list"]["elements"]
    apps = [_go(appset["spec"]["template"], p) for p in params]
    return {app["metadata"]["name"].removesuffix("-root"): {"apiVersion": "argoproj.io/v1alpha1",
                                                            "kind": "Application", **app} for app in apps}


@pytest.mark.parametrize("generator", ["git", "list"])
def test_the_applicationset_creates_each_environments_root_application(fleet: Path, tmp_path: Path,
                                                                       generator: str) -> None:
    classic = tmp_path / "classic"
    shutil.copytree(fleet, classic)
    (classic / "gitopsgen.toml").unlink()
    assert render(RenderOptions(root=classic, all_envs=True)).exit_code == 0
    (fleet / "gitopsgen.toml").write_text(FLEET_ON + f'generator = "{generator}"\n')
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0

    generated = _generated(fleet)
    assert sorted(generated) == ["dev", "prd"]
    for env, app in generated.items():
        [root_app] = _docs(classic / "rendered" / env / "bootstrap" / "root.yaml")
        assert app["spec"].pop("project") == "gitopsgen-fleet"
        assert root_app["spec"].pop("project") == f"{env}-bootstrap"
        assert app == root_app  # the same root Application, in the fleet's project
        assert not (fleet / "rendered" / env / "bootstrap").exists()
    [project] = _docs(fleet / "rendered" / "_fleet" / "project.yaml")
    [classic_project] = _docs(classic / "rendered" / "prd" / "bootstrap" / "project.yaml")
    assert project["metadata"]["name"] == "gitopsgen-fleet"
    assert project["spec"]["namespaceResourceWhitelist"] == classic_project["spec"]["namespaceResourceWhitelist"]
    assert project["spec"]["destinations"] == classic_project["spec"]["destinations"]


def test_the_applicationset_is_go_templated_strictly_and_never_deletes_on_its_own(fleet: Path) -> None:
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    spec = _appset(fleet)["spec"]
    assert spec["goTemplate"] is True and spec["goTemplateOptions"] == ["missingkey=error"]
    assert spec["syncPolicy"] == {"applicationsSync": "create-update", "preserveResourcesOnDeletion": True}
    assert spec["generators"] == [{"git": {"repoURL": "https://github.com/example-org/platform-gitops.git",
                                           "revision": "HEAD", "directories": [{"path": "rendered/*/apps"}]}}]
    assert "finalizers" not in spec["template"]["metadata"]  # deleting a root never cascades
    [patch] = _docs(fleet / "rendered" / "_fleet" / "argocd-cmd-params-cm.patch.yaml")
    assert patch == {"data": {"applicationsetcontroller.enable.policy.override": "true"}}
    assert render(RenderOptions(root=fleet, all_envs=True, check=True)).exit_code == 0


def test_the_fleet_matches_the_strict_reference_schemas(fleet: Path, shared_schemas: Path) -> None:
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    for file, kind in (("applicationset.yaml", "applicationset"), ("project.yaml", "appproject")):
        schema = json.loads((shared_schemas / f"crds-strict/argoproj.io/{kind}_v1alpha1.json").read_text())
        [doc] = _docs(fleet / "rendered" / "_fleet" / file)
        assert list(jsonschema.Draft7Validator(schema).iter_errors(doc)) == [], file
    strict = cli("render", "--all", "--check", "--strict", "--schema-location",
                 shared_schemas / "crds-strict", "--root", fleet)
    assert strict.returncode == 0, strict.stderr


def test_the_applicationset_is_validated_against_the_schema_store(fleet: Path) -> None:
    template = fleet / "templates" / "_fleet" / "applicationset.yaml.j2"
    replace_in(template, "  goTemplate: true\n", "  goTemplate: true\n  goTemplateOption: [missingkey=error]\n")
    result = render(RenderOptions(root=fleet, all_envs=True))
    assert result.exit_code == 1 and not (fleet / "rendered").exists()
    [problem] = [p for e in result.envs for p in e.problems if p.severity is Severity.ERROR]
    assert (problem.file, problem.rule, problem.path) == ("templates/_fleet/applicationset.yaml.j2", "schema",
                                                          "spec.goTemplateOption")
    assert problem.rendered == "rendered/_fleet/applicationset.yaml:9"


@pytest.mark.parametrize("glob, says", [("rendered/prd*/apps", "misses dev"),
                                        ("rendered/*/manifests", "misses dev, prd")])
def test_a_generator_that_does_not_select_every_environment_is_an_error(fleet: Path, glob: str, says: str) -> None:
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    template = fleet / "templates" / "_fleet" / "applicationset.yaml.j2"
    replace_in(template, "- path: {{ fleet.apps_glob | q }}", f"- path: {glob!r}")
    result = render(RenderOptions(root=fleet, all_envs=True, check=True))
    assert result.exit_code == 1
    [problem] = [p for e in result.envs for p in e.problems if p.rule == "fleet-generator"]
    assert says in problem.message and problem.path == "spec.generators[0].git.directories"
    assert problem.file == "templates/_fleet/applicationset.yaml.j2"  # the file on disk is not what renders
    assert problem.line is not None
    assert template.read_text().splitlines()[problem.line - 1].strip() == "directories:"


def test_an_excluded_environment_and_a_list_with_a_stranger_are_errors(fleet: Path) -> None:
    template = fleet / "templates" / "_fleet" / "applicationset.yaml.j2"
    replace_in(template, "- path: {{ fleet.apps_glob | q }}",
               "- path: {{ fleet.apps_glob | q }}\n          - path: rendered/dev/apps\n            exclude: true")
    found = cli("validate", "--all", "--root", fleet)
    assert found.returncode == 1 and "misses dev" in found.stdout and "[fleet-generator]" in found.stdout
    (fleet / "gitopsgen.toml").write_text(FLEET_ON + 'generator = "list"\n')
    replace_in(template, "{% for name in fleet.environments %}", "{% for name in fleet.environments + ('qa',) %}")
    found = cli("validate", "--all", "--root", fleet)
    assert found.returncode == 1 and "also selects qa" in found.stdout


def test_environments_that_render_the_fleet_differently_are_an_error(fleet: Path) -> None:
    replace_in(fleet / "environments" / "prd.yaml", "argocd:\n", "argocd:\n  retry:\n    limit: 5\n")
    result = render(RenderOptions(root=fleet, all_envs=True))
    assert result.exit_code == 1
    problems = [p for e in result.envs for p in e.problems if p.rule == "fleet-agreement"]
    assert problems and all(p.file.startswith("templates/_fleet/") or p.file.startswith("rendered/_fleet/")
                            for p in problems)
    assert "environment prd renders this line as 'limit: 5'" in problems[0].message


def test_each_generated_root_follows_its_own_environments_revision(fleet: Path) -> None:
    replace_in(fleet / "environments" / "dev.yaml", "argocd:\n", "argocd:\n  targetRevision: trunk\n")
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    generated = _generated(fleet)
    assert {env: app["spec"]["source"]["targetRevision"] for env, app in generated.items()} == \
        {"dev": "trunk", "prd": "production"}


def test_rendering_one_environment_leaves_the_fleet_alone(fleet: Path) -> None:
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    appset = fleet / "rendered" / "_fleet" / "applicationset.yaml"
    before = appset.read_bytes()
    replace_in(fleet / "environments" / "prd.yaml", "replicas: 2\n  hostname", "replicas: 3\n  hostname")
    result = render(RenderOptions(root=fleet, envs=("prd",)))
    assert result.exit_code == 0 and [e.env for e in result.envs] == ["prd"]
    assert appset.read_bytes() == before


def test_turning_fleet_mode_off_removes_the_fleet_and_brings_back_each_bootstrap(fleet: Path) -> None:
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    (fleet / "gitopsgen.toml").unlink()
    check = render(RenderOptions(root=fleet, all_envs=True, check=True))
    assert check.exit_code == 1 and check.orphans == ["_fleet"]
    assert render(RenderOptions(root=fleet, all_envs=True)).exit_code == 0
    assert sorted(p.name for p in (fleet / "rendered").iterdir()) == ["dev", "prd"]
    assert (fleet / "rendered" / "prd" / "bootstrap" / "root.yaml").is_file()


def test_an_environment_named_like_the_fleet_collides_with_it(fleet: Path) -> None:
    spec = fleet / "environments" / "gitopsgen-fleet.yaml"
    spec.write_text((fleet / "environments" / "dev.yaml").read_text())
    for old, new in (("example-dev", "example-gf"), ("name: dev ", "name: gf "), ("config: dev", "config: gf"),
                     ("hostname: example-api-dev", "hostname: example-api-gf")):
        replace_in(spec, old, new)
    result = render(RenderOptions(root=fleet, all_envs=True))
    collisions = [p for e in result.envs for p in e.problems if p.rule == "cross-argocd-names"]
    assert result.exit_code == 1 and [p.file for p in collisions] == ["rendered/_fleet/project.yaml"]


def test_fleet_mode_with_jobs_writes_and_says_the_same(fleet: Path, tmp_path: Path) -> None:
    runs = {}
    for jobs in ("1", "2"):
        root = tmp_path / f"j{jobs}"
        shutil.copytree(fleet, root)
        result = cli("render", "--all", "--jobs", jobs, "--root", root)
        files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "rendered").rglob("*"))
                 if p.is_file()}
        runs[jobs] = (result.returncode, result.stdout, result.stderr, files)
    assert runs["2"] == runs["1"] and runs["1"][0] == 0
    assert "rendered/_fleet: written, 4 added (4 files)" in runs["1"][1]


def test_the_fleet_settings_are_checked(fleet: Path) -> None:
    from gitopsgen.core import config

    (fleet / "gitopsgen.toml").write_text('[fleet]\nenabled = "yes"\ngenerator = "cluster"\n')
    with pytest.raises(ConfigError) as caught:
        config.load(fleet)
    assert [(p.line, p.path) for p in caught.value.problems] == [(2, "fleet.enabled"), (3, "fleet.generator")]
