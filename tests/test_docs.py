"""The documentation people read: a README under 250 lines pointing into docs/; every gitopsgen
command shown in a shell block of the README or docs/ exists with the flags it is shown with
(asked of the CLI itself); the README's first steps run as shown in a scratch folder; the CI
recipe shown is the workflow `init` writes; and the site builds with mkdocs (strict)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from git_support import PINNED
from kit import REPO_ROOT, cli

BIN = Path(sys.executable).parent
PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.M | re.S)


def shell_blocks(page: Path) -> list[str]:
    return SHELL_BLOCK.findall(page.read_text(encoding="utf-8"))


def invocations(block: str) -> list[list[str]]:
    """Each `gitopsgen ...` command of a shell block, as words (comments, pipes and `&&` split off)."""
    found = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        command: list[str] = []
        for word in [*words, "&&"]:
            if word in ("&&", "||", "|", ";"):
                if command and command[0] == "gitopsgen":
                    found.append(command)
                command = []
            else:
                command.append(word)
    return found


INLINE = re.compile(r"`(gitopsgen [a-z][^`]*)`")


def inline_commands(page: Path) -> list[str]:
    """`gitopsgen ...` in inline code (synopses like `gitopsgen render ENV... | --all [--check]`)."""
    return INLINE.findall(page.read_text(encoding="utf-8"))


@cache
def help_of(*command: str) -> str:
    done = cli(*command, "--help")
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


def test_the_readme_is_short_and_points_into_docs() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 250
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (REPO_ROOT / link).is_file(), link


def test_the_pages_show_commands() -> None:
    shown = [c for page in PAGES for block in shell_blocks(page) for c in invocations(block)]
    assert len(shown) >= 15 and {c[1] for c in shown} >= {"render", "validate", "diff", "init"}
    inline = [span for page in PAGES for span in inline_commands(page)]
    assert len(inline) >= 30


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_every_command_shown_exists_with_its_flags(page: Path) -> None:
    top = help_of()
    for words in (c for block in shell_blocks(page) for c in invocations(block)):
        args = words[1:]
        if not args or args[0].startswith("-"):
            assert all(re.search(rf"{re.escape(a.split('=')[0])}\b", top) for a in args if a.startswith("--")), words
            continue
        command = args[:2] if args[0] == "schemas" and len(args) > 1 else args[:1]
        assert re.search(rf"^\s*│?\s*{re.escape(command[0])}\b", top, re.M), words
        text = help_of(*command)
        for arg in args[len(command):]:
            if arg.startswith("--"):
                assert re.search(rf"{re.escape(arg.split('=')[0])}\b", text), (words, arg)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_every_command_named_inline_exists_with_its_flags(page: Path) -> None:
    top = help_of()
    for span in inline_commands(page):
        words = span.split()
        command = words[1:3] if words[1] == "schemas" and len(words) > 2 and words[2][0].isalpha() else words[1:2]
        assert re.search(rf"^\s*│?\s*{re.escape(command[0])}\b", top, re.M), (page.name, span)
        text = help_of(*command)
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", span):
            assert re.search(rf"{re.escape(flag)}\b", text), (page.name, span, flag)


def test_the_readme_first_steps_run_as_shown(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in shell_blocks(REPO_ROOT / "README.md") if b.startswith("gitopsgen init platform")]
    assert block in readme
    env = {**os.environ, **PINNED, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path)}
    env.pop("GITOPSGEN_DEBUG", None)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rendered/prd: written" in done.stdout and "0 errors" in done.stdout
    assert (tmp_path / "platform" / "rendered" / "prd" / "apps").is_dir()


def test_the_ci_recipe_shown_is_the_workflow_init_writes(tmp_path: Path) -> None:
    page = (REPO_ROOT / "docs" / "guide" / "ci.md").read_text(encoding="utf-8")
    shown = page.split("# .github/workflows/gitopsgen.yml\n", 1)[1].split("```", 1)[0]
    assert cli("init", tmp_path / "p").returncode == 0
    written = (tmp_path / "p" / ".github" / "workflows" / "gitopsgen.yml").read_text()
    assert yaml.safe_load(shown) == yaml.safe_load(written)


def test_the_site_builds(tmp_path: Path) -> None:
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(tmp_path / "site")], cwd=REPO_ROOT,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "guide" / "services" / "index.html").is_file()
