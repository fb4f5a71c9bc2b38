"""Shared fixtures.

* `repo_root`: this checkout (real environments/ and templates/).
* `shared_schemas`: the upstream reference schemas beside the checkout (`../shared/schemas`);
  tests validate against them and never copy them.
* `rendered`: the real dev and prd trees, rendered in memory once per session.
* `project`: a scratch copy of environments/ and templates/ in tmp_path, for tests that edit or
  break inputs and look at what happens on disk.

Every test runs with HOME, the XDG cache and gitopsgen's download cache inside tmp_path, so nothing
escapes into the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.run.render import render_trees
from gitopsgen.tree.manifests import RenderedTree
from kit import EXAMPLES, copy_examples, use_ingress_nginx

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_SCHEMAS = REPO_ROOT.parent / "shared" / "schemas"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GITOPSGEN_CACHE_DIR", str(home / ".cache" / "gitopsgen-tests"))
    monkeypatch.delenv("GITOPSGEN_DEBUG", raising=False)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_schemas() -> Path:
    if not (SHARED_SCHEMAS / "SOURCES.md").is_file():
        pytest.skip(f"reads the reference data in ../shared, which is not beside this checkout ({SHARED_SCHEMAS})")
    return SHARED_SCHEMAS


@pytest.fixture(scope="session")
def rendered_ngf() -> dict[str, RenderedTree]:
    """The real environments rendered in memory: {"dev": tree, "prd": tree} (the edge on NGINX
    Gateway Fabric). Modules about ingress-nginx override `rendered`; this name stays the real trees."""
    return {item.tree.env: item.tree for item in render_trees(REPO_ROOT, list(EXAMPLES))}


@pytest.fixture(scope="session")
def rendered(rendered_ngf: dict[str, RenderedTree]) -> dict[str, RenderedTree]:
    """The real environments rendered in memory: {"dev": tree, "prd": tree}."""
    return rendered_ngf


@pytest.fixture(scope="session")
def rendered_ingress_nginx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenderedTree]:
    """The example environments switched to the retired ingress-nginx controller, rendered in memory."""
    root = tmp_path_factory.mktemp("ingress-nginx")
    copy_examples(root)
    use_ingress_nginx(root)
    return {item.tree.env: item.tree for item in render_trees(root, list(EXAMPLES))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch repository root with copies of templates/ and the example environments (dev, prd,
    their shared defaults and any non-spec files of environments/, such as the editor schema)."""
    root = tmp_path / "project"
    root.mkdir()
    copy_examples(root)
    return root
