"""Where gitopsgen comes from: the one repository every install instruction, the action and the
hooks name, and the pinned requirement for this version.

The package is not on the package index: an instruction naming a bare `gitopsgen` there would
install whatever someone registers under that name. Until it is published, users install from a
git URL at this version's tag (or a wheel attached to the release); the action installs from its
own checkout.
"""

from __future__ import annotations

from gitopsgen import __version__

REPOSITORY = "https://github.com/gitopsgen/gitopsgen"
"""The source repository (pyproject.toml's `project.urls.Repository`; a test keeps them equal)."""

ACTION = "gitopsgen/gitopsgen"
"""The GitHub Action's `uses:` name: the repository itself (action.yml at its root)."""


def tag(version: str = __version__) -> str:
    """The git tag of a release: `v` and the version (`gitopsgen --version` prints the version)."""
    return f"v{version}"


def requirement(extras: str = "", version: str = __version__) -> str:
    """What pip installs for this version: the repository at its tag, e.g.
    `gitopsgen[helm] @ git+https://github.com/gitopsgen/gitopsgen@v0.2.0`."""
    name = f"gitopsgen[{extras}]" if extras else "gitopsgen"
    return f"{name} @ git+{REPOSITORY}@{tag(version)}"


def pip_install(extras: str = "", version: str = __version__) -> str:
    """The install command to print, quoted for a POSIX shell."""
    return f'pip install "{requirement(extras, version)}"'
