"""The product speaks only of itself and of upstream projects.

Code, templates, the example specs `init` copies, the README and docs/ are read by users and
contributors who have only this repository: a pointer to a document outside it (a design or
domain reference, a style guide, a `shared/` folder), an issue number or an invariant id from such
a document leads nowhere. Facts go into docs/components.md, cited by section.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("src", "templates", "environments", "README.md", "docs")
FORBIDDEN = re.compile(
    r"\bDOMAIN\b"              # an outside domain reference (SUBDOMAIN, AUTH0_DOMAIN are words of their own)
    r"|\bDESIGN\b"             # an outside design document
    r"|\bSTYLE\.md\b"          # an outside style guide
    r"|shared/"                # the reference folder beside a checkout
    r"|\bissue #?\d+"          # an issue number
    r"|\bX\d{1,2}\b"           # an invariant id of the outside domain reference (X1 ... X33)
)


def scanned_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = REPO_ROOT / name
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        files.extend(p for p in candidates if "__pycache__" not in p.parts and p.suffix != ".pyc")
    return files


def mentions(text: str) -> list[tuple[int, str]]:
    """(line, matched text) of every forbidden mention."""
    return [(text.count("\n", 0, m.start()) + 1, m.group()) for m in FORBIDDEN.finditer(text)]


def test_no_file_points_outside_the_repository() -> None:
    files = scanned_files()
    assert len(files) > 100  # src, templates, the specs and the docs were all found
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: nothing a reader follows
        found.extend(f"{path.relative_to(REPO_ROOT)}:{line}: {what}" for line, what in mentions(text))
    assert found == [], "cite docs/components.md (or another docs/ page) instead:\n" + "\n".join(found)


@pytest.mark.parametrize("text", [
    "Versions: shared/reference/DOMAIN.md.", "see ../shared/crds", "(DOMAIN section 1)", "DOMAIN X28",
    "server-side apply (X28)", "Exit codes (DESIGN.md)", "as STYLE.md says", "issue 9 finding 3",
    "(bench/bench.py, issue 12)",
])
def test_the_check_finds_each_kind_of_outside_reference(text: str) -> None:
    assert mentions(text)


@pytest.mark.parametrize("text", [
    "DNS1123_SUBDOMAIN_FMT", "- name: AUTH0_DOMAIN", "docs/components.md §7", "an upstream issue",
    "argo-cd#3781", "X-Forwarded-Proto", "the 0x1F byte",
])
def test_the_check_leaves_ordinary_words_alone(text: str) -> None:
    assert mentions(text) == []
