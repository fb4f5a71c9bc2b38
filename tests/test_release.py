"""Install instructions that exist and stay safe: nothing tells anyone to install a package-index
`gitopsgen` (the name is not registered there, so whoever registers it would run code in every
job that copied the instruction); every instruction names the repository at this version's tag.
The version is one number: `gitopsgen --version`, the built package's, the changelog's latest."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from gitopsgen import __version__
from gitopsgen.facts import release
from kit import REPO_ROOT, cli

PIP_INSTALL = re.compile(r"pip3? install\b[^\n`]*")
INDEX_NAME = re.compile(r"""(?<![\w./@+-])gitopsgen(\[[\w,]+\])?(==[\w.]+)?(?=["'\s]|$)(?!\s*@)""")
"""`gitopsgen` as a requirement taken from the package index: not a path, not `name @ URL`."""


def unsafe(text: str) -> list[str]:
    return [m.group(0) for m in PIP_INSTALL.finditer(text) if INDEX_NAME.search(m.group(0))]


def test_the_check_finds_the_unsafe_forms() -> None:
    assert unsafe("pip install gitopsgen") and unsafe("pip install 'gitopsgen[helm]'")
    assert unsafe('python -m pip install "gitopsgen==0.1.0"') and unsafe("pip install --quiet gitopsgen # x")
    assert not unsafe('pip install "gitopsgen @ git+https://github.com/gitopsgen/gitopsgen@v1.0.0"')
    assert not unsafe("pip install ./gitopsgen") and not unsafe("pip install /path/to/gitopsgen-0.2.0.tar.gz")


def _shipped_texts(tmp_path: Path) -> dict[str, str]:
    names = ["README.md", "CHANGELOG.md", "action.yml", ".pre-commit-hooks.yaml", "Makefile"]
    files = {name: (REPO_ROOT / name).read_text() for name in names}
    for folder in ("docs", "action", "src/gitopsgen", "templates", "scripts"):
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".md", ".py", ".sh", ".j2", ".yaml", ".yml", ".toml"):
                files[path.relative_to(REPO_ROOT).as_posix()] = path.read_text()
    assert cli("init", tmp_path / "platform").returncode == 0
    for path in sorted((tmp_path / "platform").rglob("*")):
        if path.is_file():
            files[f"init:{path.relative_to(tmp_path / 'platform').as_posix()}"] = path.read_text()
    return files


def test_no_instruction_installs_an_unregistered_index_package(tmp_path: Path) -> None:
    texts = _shipped_texts(tmp_path)
    assert "init:README.md" in texts and "src/gitopsgen/diff/charts.py" in texts
    found = {name: unsafe(text) for name, text in texts.items() if unsafe(text)}
    assert found == {}


def test_instructions_name_the_repository_at_this_versions_tag(tmp_path: Path) -> None:
    texts = _shipped_texts(tmp_path)
    pinned = f"git+{release.REPOSITORY}@v{__version__}"
    assert pinned in texts["init:README.md"] and pinned in texts["README.md"]
    assert f"rev: v{__version__}" in texts["init:.pre-commit-config.yaml"]
    assert f"uses: {release.ACTION}@v{__version__}" in texts["init:.github/workflows/gitopsgen.yml"]
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Repository"] == release.REPOSITORY
    assert release.REPOSITORY.removeprefix("https://github.com/") == release.ACTION


def test_one_version_everywhere() -> None:
    assert cli("--version").stdout.strip() == f"gitopsgen {__version__}"
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert project["project"]["dynamic"] == ["version"]  # the wheel's version is read from gitopsgen/__init__.py
    assert project["tool"]["hatch"]["version"]["path"] == "src/gitopsgen/__init__.py"
    [latest] = re.findall(r"^## (\d+\.\d+\.\d+)", (REPO_ROOT / "CHANGELOG.md").read_text(), re.M)[:1]
    assert latest == __version__


def test_the_license_is_the_apache_license_pyproject_names() -> None:
    text = (REPO_ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the full text, not a notice
    assert tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"
