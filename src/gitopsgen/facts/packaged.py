"""What ships inside the gitopsgen package: the default templates and the example environments.

In a built wheel they sit in `gitopsgen/data/` (hatch force-includes this repository's
`templates/` and `environments/` there, so they have one source); in a source checkout (an
editable install, the test suite) the same folders are found beside the package's source tree.
A repository's own `templates/` overrides the packaged ones file by file (`render.engine`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from gitopsgen import __version__
from gitopsgen.facts.layout import ENVIRONMENTS, TEMPLATES

PACKAGED = "gitopsgen:"
"""How a packaged template is named in messages and headers: `gitopsgen:templates/apps/data.yaml.j2`."""


@functools.cache
def _data(name: str) -> Path | None:
    package = Path(__file__).resolve().parents[1]  # gitopsgen/ (this module is gitopsgen/facts/packaged.py)
    packaged = package / "data" / name
    if packaged.is_dir():
        return packaged
    checkout = package.parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    return None


def templates_dir() -> Path | None:
    """The default templates of this version of gitopsgen."""
    return _data(TEMPLATES)


EXAMPLE_FILES = ("defaults.yaml", "dev.yaml", "prd.yaml", "spec.schema.json")
"""The example environments' files, as the wheel carries them (pyproject's force-include): in a
source checkout, `environments/` may hold a developer's own environments too."""


def examples_dir() -> Path | None:
    """The example environments (dev, prd and their shared defaults) of this version."""
    return _data(ENVIRONMENTS)


def version() -> str:
    return __version__
