"""Manifests read from disk (`gitopsgen validate --path`): any YAML files, hand-written ones too.

They become the same `RenderedTree` the render produces, so every validation layer and rule runs
on them unchanged; only two things differ: a file is shown as the path the user gave (not
`rendered/<env>/...`), and node lines come from the file's own text (composed once with the C
parser), not from our canonical re-emission.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from gitopsgen.core.errors import UsageError
from gitopsgen.core.problems import Problem
from gitopsgen.facts.layout import RENDERED
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree

YAML_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class DiskFile(RenderedFile):
    """A file as written on disk: lines are those of its own text."""

    @cached_property
    def _positions(self) -> yamlio.Positions:
        from gitopsgen.tree import reading

        return reading.positions(self.text, self.documents)  # the loader's own parser


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and the YAML files under folders (sorted); a missing path is bad input."""
    found: list[Path] = []
    missing = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file() or str(path) == "-":  # `-`: standard input
            found.append(path)
        else:
            missing.append(Problem(str(path), message="no such file or folder", rule="usage"))
    if missing:
        raise UsageError(missing)
    return list(dict.fromkeys(found))


def shown(path: Path, cwd: Path | None = None) -> str:
    """A path as users name it: relative to the working directory when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(cwd or Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def repository_path(path: Path) -> str:
    """`path` from the root of the repository it lives in (the nearest folder up holding `.git` or
    `gitopsgen.toml`): the form Argo CD sources and `$values/...` files use. Outside any
    repository, the path as shown."""
    absolute = path.absolute()
    for folder in absolute.parents:
        if (folder / ".git").exists() or (folder / "gitopsgen.toml").is_file():
            return absolute.relative_to(folder).as_posix()
    return shown(path)


def _tree_for(trees: dict[str, RenderedTree], key: str) -> tuple[RenderedTree, str]:
    """The tree a file belongs to and its path in it: files under `rendered/<env>/` form the tree
    of that environment (rules compare objects of one environment only), others one loose tree."""
    parts = key.split("/")
    if len(parts) > 2 and parts[0] == RENDERED:
        env = parts[1]
        tree = trees.setdefault(env, RenderedTree(env))
        return tree, "/".join(parts[2:])
    return trees.setdefault("", RenderedTree(env="", prefix="")), key


def read_trees(paths: Iterable[Path], cwd: Path | None = None) -> tuple[list[RenderedTree], list[Problem]]:
    """The files at `paths` as trees (one per rendered environment, one for the rest), and a
    problem for each file that is not valid YAML. Files are keyed by their path in their
    repository, and shown as the user named them."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from gitopsgen.tree.reading import documents as ondisk_documents
    from gitopsgen.tree.reading import template_hint

    trees: dict[str, RenderedTree] = {}
    problems: list[Problem] = []
    for path in expand(paths):
        stdin = str(path) == "-"
        name = "<stdin>" if stdin else shown(path, cwd)
        tree, key = _tree_for(trees, name if stdin else repository_path(path))
        tree.shown[key] = name
        try:
            text = sys.stdin.read() if stdin else path.read_text(encoding="utf-8")
            data = yamlio.load_all(text)
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, message=f"not UTF-8 text: {exc.reason} at byte {exc.start}", rule="yaml"))
            continue
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(str(p).strip() for p in (exc.context, exc.problem) if p)
            problems.append(Problem(name, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                    message=f"not valid YAML: {message}", rule="yaml", hint=template_hint(text)))
            continue
        except YAMLError as exc:
            problems.append(Problem(name, message=f"not valid YAML: {exc}", rule="yaml", hint=template_hint(text)))
            continue
        documents = ondisk_documents(key, data, text)
        tree.add(DiskFile(path=key, template="", documents=documents, text=text))
    return [trees[k] for k in sorted(trees)], problems
