"""Broken and hostile input through the real console script: one located message, exit code 2,
no traceback, and nothing on disk changed (issue 10, items 3 and 4).

Each case sets up a copy of a rendered repository, runs `gitopsgen`, and checks that stderr has a
line `<file>[:<line>[:<col>]]: error: ...` at the expected place, says what is wrong, and that
every regular file of the repository (rendered/ included) is byte-identical afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitopsgen.run.render import RenderOptions, render
from kit import GITOPSGEN, cli, copy_examples, replace_in


@dataclass(frozen=True)
class Setup:
    args: list[str]
    where: str
    """The location the message must start a line with: `file`, `file:line` or `file:line:col`."""
    says: str
    """A fragment of the message (or hint)."""
    cwd: Path | None = None
    read_only: Path | None = None
    """Run with this folder bind-mounted read-only (root ignores permission bits)."""


Case = Callable[[Path], Setup]


def _line(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text)


def _prd(root: Path) -> Path:
    return root / "environments" / "prd.yaml"


def _template(root: Path, name: str, text: str | bytes) -> Path:
    path = root / "templates" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- item 3: where the user stands -----------------------------------------------------------------


def yml_by_name(root: Path) -> Setup:
    shutil.copy(_prd(root), root / "environments" / "stg.yml")
    return Setup(["render", "stg"], "environments/stg.yml", "rename it to environments/stg.yaml")


def yml_by_path(root: Path) -> Setup:
    shutil.copy(_prd(root), root / "environments" / "stg.yml")
    return Setup(["render", "--check", "environments/stg.yml"], "environments/stg.yml", "rename it")


def yml_with_all(root: Path) -> Setup:
    shutil.copy(_prd(root), root / "environments" / "stg.yml")
    return Setup(["render", "--all"], "environments/stg.yml", "reads environments/*.yaml files only")


def yml_defaults(root: Path) -> Setup:
    (root / "environments" / "defaults.yml").write_text("app:\n  replicas: 3\n")
    return Setup(["render", "prd"], "environments/defaults.yml", "rename it to environments/defaults.yaml")


def unknown_environment(root: Path) -> Setup:
    return Setup(["render", "prod"], "environments/prod.yaml", "did you mean 'prd'?")


def outside_any_repository(root: Path) -> Setup:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    return Setup(["render", "prd"], str(elsewhere), "not inside a gitopsgen repository", cwd=elsewhere)


def root_without_environments(root: Path) -> Setup:
    other = root.parent / "templates-only"
    shutil.copytree(root / "templates", other / "templates")
    return Setup(["render", "prd", "--root", str(other)], "environments", "environments folder not found")


def spec_path_outside_environments(root: Path) -> Setup:
    shutil.copy(_prd(root), root / "prd.yaml")
    return Setup(["render", "prd.yaml"], "prd.yaml", "is not a spec file in")


# --- item 4: hostile and broken specs --------------------------------------------------------------


def yaml_syntax_error(root: Path) -> Setup:
    replace_in(_prd(root), "  replicas: 2\n", "  replicas: [2\n")
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'hostname:')}", "invalid YAML")


def duplicate_key(root: Path) -> Setup:
    replace_in(_prd(root), "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n")
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'replicas: 3')}:3",
                 "duplicate key 'replicas'")


def tab_indentation(root: Path) -> Setup:
    replace_in(_prd(root), "  replicas: 2\n", "\treplicas: 2\n")
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'replicas: 2')}:1",
                 "YAML does not allow tabs")


def list_where_a_mapping_belongs(root: Path) -> Setup:
    replace_in(_prd(root), "postgres:\n", "postgres: [instances, storage]\npostgresOld:\n")
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'postgres: [')}:1",
                 "must be a mapping of `key: value` settings, got a list")


def scalar_where_a_mapping_belongs(root: Path) -> Setup:
    replace_in(_prd(root), "redis:\n", "redis: sentinel\nredisOld:\n")
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'redis: sentinel')}:8",
                 "must be a mapping of `key: value` settings, got 'sentinel'")


def top_level_list(root: Path) -> Setup:
    _prd(root).write_text("- namespace: example-prd\n- app: {}\n")
    return Setup(["render", "prd"], "environments/prd.yaml:1:1", "must be a mapping of settings at the top level")


def billion_laughs(root: Path) -> Setup:
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
    with _prd(root).open("a") as fh:
        fh.write("laughs:\n" + "".join(f"  {line}\n" for line in lines))
    # lol0..lol2 expand to 1,233 values; lol3's ten *lol2 aliases would add 11,110 more: the message points at
    # the anchor being expanded when the count crosses the bound (YAML gives an alias its anchor's position)
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'lol2:')}:9",
                 "values once YAML aliases are expanded")


def nesting_too_deep(root: Path) -> Setup:
    with _prd(root).open("a") as fh:
        fh.write("deep: " + "[" * 60 + "]" * 60 + "\n")
    return Setup(["render", "prd"], f"environments/prd.yaml:{_line(_prd(root), 'deep:')}",
                 "nests deeper than 32 levels")


def file_too_large(root: Path) -> Setup:
    with _prd(root).open("a") as fh:
        fh.write(("# padding " + "x" * 1000 + "\n") * 1100)
    return Setup(["render", "prd"], "environments/prd.yaml", "is larger than 1 MiB")


def invalid_utf8(root: Path) -> Setup:
    data = _prd(root).read_bytes().replace(b"api.example.com", b"api.ex\xffample.com", 1)
    _prd(root).write_bytes(data)
    bad = data.index(b"\xff")
    line, column = data.count(b"\n", 0, bad) + 1, bad - data.rfind(b"\n", 0, bad)
    return Setup(["render", "prd"], f"environments/prd.yaml:{line}:{column}", "is not UTF-8 text")


def spec_is_a_fifo(root: Path) -> Setup:
    os.mkfifo(root / "environments" / "stg.yaml")
    return Setup(["render", "stg"], "environments/stg.yaml", "is not a regular file")


def env_name_with_separator(root: Path) -> Setup:
    return Setup(["render", "prd/x"], "prd/x", "is not a spec file in")


def env_name_dotdot(root: Path) -> Setup:
    return Setup(["render", ".."], "environments", "'..' is not a valid environment name")


def env_path_traversal(root: Path) -> Setup:
    return Setup(["render", "../../../etc/passwd"], "../../../etc/passwd", "is not a spec file in")


def defaults_is_not_an_environment(root: Path) -> Setup:
    return Setup(["render", "defaults"], "environments/defaults.yaml", "is the shared defaults file")


# --- item 4: templates -----------------------------------------------------------------------------


def templates_is_not_a_folder(root: Path) -> Setup:
    # Without templates/ a repository renders with the templates packaged with gitopsgen (see
    # test_init); something else in its place is bad input, not a reason to fall back silently.
    shutil.rmtree(root / "templates")
    (root / "templates").write_text("not a folder\n")
    return Setup(["render", "prd", "--root", str(root)], "templates", "is not a folder")


def template_syntax_error(root: Path) -> Setup:
    _template(root, "bad.yaml.j2", "a: 1\nb: {% if %}\n")
    return Setup(["render", "prd"], "templates/bad.yaml.j2:2", "syntax error")


def template_undefined_variable(root: Path) -> Setup:
    service = root / "templates" / "manifests" / "example-api" / "service.yaml.j2"
    replace_in(service, "type: ClusterIP", "type: {{ spec.app.typo }}")
    return Setup(["render", "prd"], f"templates/manifests/example-api/service.yaml.j2:{_line(service, 'typo')}",
                 "undefined: no key 'typo'")


def template_invalid_utf8(root: Path) -> Setup:
    _template(root, "latin1.yaml.j2", b"a: 1\nb: caf\xe9\n")
    return Setup(["render", "prd"], "templates/latin1.yaml.j2:2:7", "is not UTF-8 text")


def template_reaches_python_internals(root: Path) -> Setup:
    _template(root, "escape.yaml.j2", "a: 1\nb: {{ names.app.__class__.__init__.__globals__ }}\n")
    return Setup(["render", "prd"], "templates/escape.yaml.j2:2", "not allowed in the template sandbox")


def template_includes_a_file_outside_templates(root: Path) -> Setup:
    _template(root, "leak.yaml.j2", "a: |\n  {% include '../environments/prd.yaml' %}\n")
    return Setup(["render", "prd"], "templates/leak.yaml.j2:2", "template not found")


def template_output_path_leaves_the_tree(root: Path) -> Setup:
    _template(root, "a\\..\\..\\evil.yaml.j2", "a: 1\n")
    return Setup(["render", "prd"], "templates/a\\..\\..\\evil.yaml.j2", "output path contains a backslash")


def template_runaway_output(root: Path) -> Setup:
    _template(root, "huge.yaml.j2", "a: 1\n{% set line %}# " + "x" * 4000 + "\n{% endset %}\n"
              "{% for i in range(100000) %}{% for j in range(100000) %}{{ line }}{% endfor %}{% endfor %}\n")
    return Setup(["render", "prd"], "templates/huge.yaml.j2:4", "renders more than")


def template_renders_invalid_yaml(root: Path) -> Setup:
    _template(root, "broken.yaml.j2", "a: 1\n{% if true %}\nb: [\n{% endif %}\n")
    return Setup(["render", "prd"], "templates/broken.yaml.j2:3", "renders invalid YAML")


# --- item 4: the output folder ---------------------------------------------------------------------


def rendered_is_a_file(root: Path) -> Setup:
    shutil.rmtree(root / "rendered")
    (root / "rendered").write_text("not a folder\n")
    return Setup(["render", "prd"], "rendered", "a file stands where gitopsgen needs a folder")


def rendered_env_is_a_file(root: Path) -> Setup:
    shutil.rmtree(root / "rendered" / "prd")
    (root / "rendered" / "prd").write_text("not a folder\n")
    return Setup(["render", "prd"], "rendered/prd", "not a folder gitopsgen can replace")


def rendered_env_is_a_symlink(root: Path) -> Setup:
    shutil.move(root / "rendered" / "prd", root / "elsewhere")
    (root / "rendered" / "prd").symlink_to(root / "elsewhere")
    replace_in(_prd(root), "replicas: 2", "replicas: 3")  # something to write
    return Setup(["render", "prd"], "rendered/prd", "not a folder gitopsgen can replace")


def output_folder_is_read_only(root: Path) -> Setup:
    replace_in(_prd(root), "replicas: 2", "replicas: 3")  # something to write
    return Setup(["render", "prd"], "rendered", "cannot read or write it", read_only=root / "rendered")


CASES: list[Case] = [
    yml_by_name, yml_by_path, yml_with_all, yml_defaults, unknown_environment, outside_any_repository,
    root_without_environments, spec_path_outside_environments,
    yaml_syntax_error, duplicate_key, tab_indentation, list_where_a_mapping_belongs,
    scalar_where_a_mapping_belongs, top_level_list, billion_laughs, nesting_too_deep, file_too_large,
    invalid_utf8, spec_is_a_fifo, env_name_with_separator, env_name_dotdot, env_path_traversal,
    defaults_is_not_an_environment,
    templates_is_not_a_folder, template_syntax_error, template_undefined_variable, template_invalid_utf8,
    template_reaches_python_internals, template_includes_a_file_outside_templates,
    template_output_path_leaves_the_tree, template_runaway_output, template_renders_invalid_yaml,
    rendered_is_a_file, rendered_env_is_a_file, rendered_env_is_a_symlink, output_folder_is_read_only,
]


@pytest.fixture(scope="module")
def rendered_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with environments/, templates/ and a rendered/ tree, copied by each case."""
    root = tmp_path_factory.mktemp("base") / "repo"
    copy_examples(root)  # the example environments only: a user's own environment is not the test's
    assert render(RenderOptions(root=root, all_envs=True)).exit_code == 0
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under `root` (FIFOs and other special files are named, not read)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.exists():
            out[rel] = b"<link>"
        elif path.is_file():
            out[rel] = path.read_bytes()
        elif not path.is_dir():
            out[rel] = b"<special>"
    return out


def _run(setup: Setup, root: Path) -> subprocess.CompletedProcess[str]:
    if setup.read_only is None:
        return cli(*setup.args, cwd=setup.cwd or root)
    if os.geteuid() != 0:
        setup.read_only.chmod(0o555)
        try:
            return cli(*setup.args, cwd=setup.cwd or root)
        finally:
            setup.read_only.chmod(0o755)
    script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
    env = {k: v for k, v in os.environ.items() if k != "GITOPSGEN_DEBUG"}
    return subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", str(setup.read_only), str(GITOPSGEN),
                           *setup.args], capture_output=True, text=True, timeout=120, check=False,
                          cwd=setup.cwd or root, env=env)


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.replace("_", "-") for c in CASES])
def test_bad_input_gets_one_located_message_exit_2_and_changes_nothing(
        case: Case, rendered_repository: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(rendered_repository, root)
    setup = case(root)
    before = snapshot(root)
    result = _run(setup, root)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    located = re.compile(rf"^{re.escape(setup.where)}(:[0-9]+)*: error: ", re.MULTILINE)
    assert located.search(result.stderr), f"no line starting {setup.where!r}:\n{result.stderr}"
    assert setup.says in result.stderr, result.stderr
    assert snapshot(root) == before


def test_the_corpus_covers_every_case_named_by_the_issue() -> None:
    """Items 3 and 4 of issue 10, each mapped to at least one case above."""
    named = {
        "yml refused": yml_by_name, "unknown env did-you-mean": unknown_environment,
        "root not found": outside_any_repository, "YAML syntax": yaml_syntax_error, "duplicate keys": duplicate_key,
        "tabs": tab_indentation, "list for mapping": list_where_a_mapping_belongs,
        "scalar for mapping": scalar_where_a_mapping_belongs, "alias expansion": billion_laughs,
        "size limit": file_too_large, "invalid UTF-8": invalid_utf8, "path separators": env_name_with_separator,
        "..": env_name_dotdot, "missing environments/": root_without_environments,
        "missing templates/": templates_is_not_a_folder, "template syntax": template_syntax_error,
        "undefined variable": template_undefined_variable, "output path leaves": template_output_path_leaves_the_tree,
        "rendered not a folder": rendered_is_a_file, "unwritable output": output_folder_is_read_only,
    }
    # A missing templates/ is no longer bad input: the templates packaged with gitopsgen are used
    # (tests/test_init.py renders a repository that has none).
    assert set(named.values()) <= set(CASES)


# --- item 3: the ways of naming the repository and an environment that work ------------------------

WAYS = {  # through the console script: the options, and one run from inside the repository
    "from-inside-environments-by-file": (["render", "--check", "prd.yaml"], "environments"),
    "root-before-the-command": (["--root", "{root}", "render", "--check", "prd"], "/"),
    "root-after-the-command": (["render", "--check", "prd", "--root", "{root}"], "/"),
    "absolute-spec-file-path-from-anywhere": (["render", "--check", "{root}/environments/prd.yaml"], "/"),
}


@pytest.mark.parametrize("args, cwd", WAYS.values(), ids=WAYS.keys())
def test_the_repository_and_environments_are_found_however_they_are_named(
        args: list[str], cwd: str, rendered_repository: Path) -> None:
    root = rendered_repository
    result = cli(*(a.replace("{root}", str(root)) for a in args), cwd=root / cwd if cwd != "/" else Path("/"))
    assert result.returncode == 0, result.stderr
    assert "rendered/prd: in sync" in result.stdout


@pytest.mark.parametrize("where", ["", "environments", "templates/apps", "rendered/prd/manifests"])
def test_the_root_is_found_from_any_folder_inside_the_repository(where: str, rendered_repository: Path) -> None:
    from gitopsgen.run.workspace import find_root

    assert find_root(rendered_repository / where) == rendered_repository


@pytest.mark.parametrize("arg, cwd, envs", [
    ("prd", ".", ["prd"]),
    ("environments/prd.yaml", ".", ["prd"]),
    ("./environments/prd.yaml", ".", ["prd"]),
    ("prd.yaml", "environments", ["prd"]),
    ("../environments/prd.yaml", "templates", ["prd"]),
    ("{root}/environments/prd.yaml", "/", ["prd"]),
    ("environments/defaults.yaml", ".", ["dev", "prd"]),  # every environment inherits it
])
def test_an_environment_is_a_name_or_a_path_to_its_spec_file(
        arg: str, cwd: str, envs: list[str], rendered_repository: Path) -> None:
    from gitopsgen.run.render import select_envs

    root = rendered_repository
    assert select_envs(root, (arg.replace("{root}", str(root)),), False, cwd=root / cwd) == envs


def test_root_given_after_the_command_wins_over_the_one_before(rendered_repository: Path, tmp_path: Path) -> None:
    result = cli("--root", tmp_path, "render", "--check", "prd", "--root", rendered_repository)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args", [["--root", "{root}", "schema"], ["schema", "--root", "{root}"]])
def test_every_command_accepts_root_before_or_after_it(args: list[str], rendered_repository: Path) -> None:
    result = cli(*(a.replace("{root}", str(rendered_repository)) for a in args))
    assert result.returncode == 0, result.stderr
