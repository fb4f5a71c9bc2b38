"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real `pre-commit try-repo` against
this checkout from another git repository, as a user's repository would run them, with nothing
but the system's folders on PATH: the hook environment installs gitopsgen itself.

pre-commit builds the hooks' own environment (`pip install` of this checkout and its
dependencies, from the package index): the pip cache of the machine is reused so that costs one
install, once per session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kit import REPO_ROOT, copy_examples

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
"""Read when the module is imported, before the test fixtures move HOME into a temporary folder."""
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
BARE_PATH = os.pathsep.join(str(Path(p).parent) for p in (shutil.which("git") or "/usr/bin/git", "/bin/sh"))
"""Only where git and sh live: no virtualenv, no gitopsgen."""


def test_hooks_file_has_one_hook_per_purpose_each_over_the_whole_tree() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"gitopsgen-check", "gitopsgen-render"}
    for hook in hooks.values():
        assert hook["pass_filenames"] is False and hook["language"] == "python"
        for changed in ("environments/prd.yaml", "templates/apps/data.yaml.j2", "rendered/prd/apps/data.yaml",
                        "schemas/lock.json", "gitopsgen.toml"):
            assert re.search(hook["files"], changed), (hook["id"], changed)
    assert hooks["gitopsgen-check"]["entry"] == "gitopsgen render --all --check"
    own = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text())
    assert [h["id"] for r in own["repos"] for h in r["hooks"]] == ["gitopsgen-check"]


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("pre-commit")
    repo = base / "platform"
    repo.mkdir()
    copy_examples(repo, rendered=True)
    env = {**{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}, **GIT_ENV,
           "PATH": BARE_PATH, "PRE_COMMIT_HOME": str(base / "pre-commit-home"), "PIP_CACHE_DIR": PIP_CACHE,
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "HOME": str(base)}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "platform"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    yield repo, env


@pytest.mark.slow  # pre-commit builds a hook environment per hook, from the package index
def test_hooks_from_another_repository_through_try_repo(user_repo: tuple[Path, dict[str, str]]) -> None:
    """One `try-repo` over both hooks (each call builds a fresh hook environment), with nothing
    on PATH: with an invalid hand edit in rendered/, the read-only check fails naming the file and
    what the edit breaks, once, and render rewrites it, which fails the commit as pre-commit does
    for any hook that modifies files."""
    repo, env = user_repo
    assert shutil.which("gitopsgen", path=env["PATH"]) is None
    service = repo / "rendered" / "dev" / "manifests" / "example-api" / "service.yaml"
    pristine = service.read_text()
    service.write_text(pristine.replace("port: 8080", 'port: "eighty"'))
    subprocess.run(["git", "commit", "-q", "-am", "hand edit"], cwd=repo, env=env, check=True)
    result = subprocess.run([str(PRE_COMMIT), "try-repo", str(REPO_ROOT), "--all-files", "--color", "never"],
                            cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    outcome = {line.rsplit(".", 1)[0].rstrip("."): line.rsplit(".", 1)[1] for line in out.splitlines()
               if line.startswith("gitopsgen") and line.endswith(("Passed", "Failed"))}
    assert outcome == {"gitopsgen render --check": "Failed", "gitopsgen render": "Failed"}, out
    assert out.count("rendered/dev/manifests/example-api/service.yaml: differs from the render") == 1
    invalid = "service.yaml:16: error: spec.ports[0].port: as edited by hand: 'eighty' is not of type 'integer'"
    assert out.count(invalid) == 1, out
    assert "files were modified by this hook" in out
    assert service.read_text() == pristine  # the writing hook restored the render
