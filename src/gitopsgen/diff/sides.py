"""The trees a diff compares: the committed `rendered/<env>/`, a render of a root, a render at a ref."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gitopsgen import yamlio
from gitopsgen.diff.textdiff import decode
from gitopsgen.errors import GitopsgenError
from gitopsgen.manifests import RenderedFile, RenderedTree, make_document
from gitopsgen.write import read_tree


def disk_tree(directory: Path, env: str) -> RenderedTree:
    """`rendered/<env>/` as it is on disk, maybe edited by hand.

    A file that is not YAML (or holds YAML that JSON cannot represent) becomes one document holding
    its text, so it is still compared, line by line.
    """
    from ruamel.yaml.error import YAMLError

    tree = RenderedTree(env)
    for rel, data in read_tree(directory).items():
        text = decode(data)
        try:
            docs = yamlio.load_all(text)
            yamlio.dump(docs)  # raises TypeError for binary or other non-JSON values
        except (YAMLError, TypeError, ValueError):
            docs = [text]
        tree.add(RenderedFile(rel, "", tuple(make_document(rel, i, d) for i, d in enumerate(docs)), text))
    return tree


def render_side(root: Path, envs: list[str], where: str | None = None) -> dict[str, RenderedTree]:
    """Render `envs` of the inputs at `root`. Problems at a ref are shown as `REF:path` (git's notation
    for a file at a commit, so `git show REF:path` opens it)."""
    from gitopsgen.pipeline import render_trees

    if not envs:
        return {}
    try:
        return {item.tree.env: item.tree for item in render_trees(root, envs)}
    except GitopsgenError as exc:
        if where is None:
            raise
        located = [dataclasses.replace(p, file=f"{where}{p.file}") if not Path(p.file).is_absolute() else p
                   for p in exc.problems]
        raise type(exc)(located) from exc
