"""`make store` builds the packaged store beside it and swaps it in only on success: without the
upstream sources (no ../shared) it stops before touching anything, and a failing import leaves
the store as it was. Run on a scratch copy (the Makefile, a stand-in store, this checkout's
virtualenv), never on this checkout's own store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit import REPO_ROOT

STORE = Path("src/gitopsgen/store/default")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    os.utime(tmp_path / "pyproject.toml", (0, 0))  # older than the virtualenv: make does not reinstall
    (tmp_path / STORE).mkdir(parents=True)
    (tmp_path / STORE / "lock.json").write_text('{"the": "store as it was"}\n')
    return tmp_path


def _make_store(folder: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    """The target with a virtualenv stand-in: this interpreter's gitopsgen, marked installed."""
    venv = folder / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "gitopsgen").symlink_to(Path(sys.executable).parent / "gitopsgen")
    (venv / "bin" / ".installed").touch()
    return subprocess.run(["make", "--no-print-directory", "store", f"VENV={venv}", *variables], cwd=folder,
                          capture_output=True, text=True, timeout=600, check=False)


def _store(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_without_the_sources_the_store_is_left_intact(scratch: Path) -> None:
    before = _store(scratch / "src")
    done = _make_store(scratch, f"SHARED={scratch / 'no-shared'}")
    assert done.returncode != 0
    assert "not found; the packaged store (src/gitopsgen/store/default) is left as it was" in done.stderr
    assert _store(scratch / "src") == before


def test_a_failing_import_leaves_the_store_intact(scratch: Path) -> None:
    sources = scratch / "shared"
    for name in ("argo-cd-v3.5.1", "external-secrets-v2.9.0", "redis-operator-v0.26.0", "cloudnative-pg-chart-0.29.0",
                 "plugin-barman-cloud-v0.13.0"):
        (sources / "crds" / name).mkdir(parents=True)
        (sources / "crds" / name / "crd.yaml").write_text("this: is not a CRD\n")
    for name in ("cloudnative-pg", "external-secrets", "reloader", "external-dns", "redis-operator",
                 "plugin-barman-cloud", "cert-manager"):
        (sources / "schemas" / "charts" / name).mkdir(parents=True)
    before = _store(scratch / "src")
    done = _make_store(scratch, f"SHARED={sources}")
    assert done.returncode != 0, done.stdout + done.stderr
    assert _store(scratch / "src") == before
    assert sorted(p.name for p in (scratch / STORE).parent.iterdir()) == ["default"]
