"""The built wheel, installed into a fresh virtualenv outside this checkout, scaffolds a repository
and renders and validates it: the templates, examples and schema store really ship in the package.

Building the wheel fetches the build backend and installing it fetches the dependencies from the
package index (the machine's pip cache is reused), so this costs one install per session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import REPO_ROOT

pytestmark = pytest.mark.slow  # builds a wheel and installs it into a fresh virtualenv

PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
"""Read at import, before the test fixtures move HOME into a temporary folder."""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_CACHE_DIR=PIP_CACHE, PIP_DISABLE_PIP_VERSION_CHECK="1", HOME=str(base))
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(REPO_ROOT)],
                   env=env, check=True, timeout=600)
    [wheel] = dist.glob("gitopsgen-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=env, check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], env=env, check=True,
                   timeout=900)
    yield wheel, venv, env


def test_the_wheel_carries_templates_examples_and_the_schema_store(
        installed: tuple[Path, Path, dict[str, str]]) -> None:
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "gitopsgen/data/templates/apps/_application.j2" in names
    assert {f"gitopsgen/data/environments/{n}" for n in ("dev.yaml", "prd.yaml", "defaults.yaml",
                                                          "spec.schema.json")} <= names
    assert "gitopsgen/store/default/lock.json" in names
    assert not any(n.startswith(("tests/", "rendered/")) for n in names)


def test_an_init_repository_renders_and_validates_with_the_installed_wheel(
        installed: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    _, venv, env = installed
    gitopsgen = venv / "bin" / "gitopsgen"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import gitopsgen; print(gitopsgen.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)) and str(REPO_ROOT) not in where

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(gitopsgen), *args], cwd=tmp_path / "platform", env=env, capture_output=True,
                              text=True, timeout=300, check=False)

    (tmp_path / "platform").mkdir()
    assert run("init", ".").returncode == 0
    rendered = run("render", "--all")
    assert rendered.returncode == 0, rendered.stderr
    assert "rendered/prd: " in rendered.stdout
    validated = run("validate", "--all")
    assert validated.returncode == 0 and "0 errors" in validated.stdout, validated.stdout + validated.stderr
    assert run("render", "--all", "--check").returncode == 0
    first = (tmp_path / "platform" / "rendered" / "dev" / "apps" / "data.yaml").read_text().splitlines()[0]
    assert "gitopsgen:templates/apps/data.yaml.j2" in first
