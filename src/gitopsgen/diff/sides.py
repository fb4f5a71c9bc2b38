"""The trees a diff compares: the committed `rendered/<env>/`, a render of a root, a render at a ref."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gitopsgen.core.errors import GitopsgenError, stops_everything
from gitopsgen.diff.textdiff import decode
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document
from gitopsgen.tree.write import read_tree


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


class RenderSide:
    """The inputs at `root`, rendered one environment at a time (`envrun.EnvRenderer`), so that a
    diff holds the two trees of one environment at a time: its memory grows with an environment,
    not with the number of them."""

    def __init__(self, root: Path, where: str | None = None) -> None:
        from gitopsgen.run.unit import EnvRenderer

        self.envs = EnvRenderer(root)
        self.where = where
        """How files at a ref are shown (`REF:path`, git's notation, so `git show REF:path` opens
        it); None for the working tree."""
        self.stopped = False
        """A template or usage problem was raised: it is the same for every environment, say it once."""

    def tree(self, env: str) -> RenderedTree:
        try:
            return self.envs.render(env)[2]
        except GitopsgenError as exc:
            self.stopped = stops_everything(type(exc))
            if self.where is None:
                raise
            located = [dataclasses.replace(p, file=f"{self.where}{p.file}") if not Path(p.file).is_absolute() else p
                       for p in exc.problems]
            raise type(exc)(located) from exc
