"""The trees a diff compares: the committed `rendered/<env>/`, a render of a root, a render at a ref."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from gitopsgen import yamlio
from gitopsgen.diff.textdiff import decode
from gitopsgen.errors import GitopsgenError
from gitopsgen.manifests import RenderedFile, RenderedTree, make_document
from gitopsgen.write import read_tree

if TYPE_CHECKING:
    from gitopsgen.render.engine import Renderer


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
    """The inputs at `root`, rendered one environment at a time with one renderer, so that a diff
    holds the two trees of one environment at a time: its memory grows with an environment, not
    with the number of them."""

    def __init__(self, root: Path, where: str | None = None) -> None:
        self.root = root
        self.where = where
        """How files at a ref are shown (`REF:path`); None for the working tree."""
        self.stopped = False
        """A template or usage problem was raised: it is the same for every environment, say it once."""
        self._renderer: Renderer | None = None

    def tree(self, env: str) -> RenderedTree:
        from gitopsgen.errors import TemplateError, UsageError
        from gitopsgen.render.engine import Renderer
        from gitopsgen.render.provenance import located_context
        from gitopsgen.spec import load

        try:
            loaded = load(self.root, env)
            if self._renderer is None:
                self._renderer = Renderer(self.root)
            tree = self._renderer.render(env, located_context(loaded))
        except GitopsgenError as exc:
            self.stopped = isinstance(exc, (TemplateError, UsageError))
            if self.where is None:
                raise
            located = [dataclasses.replace(p, file=f"{self.where}{p.file}") if not Path(p.file).is_absolute() else p
                       for p in exc.problems]
            raise type(exc)(located) from exc
        tree.not_secrets = loaded.not_secrets
        return tree


def combined(errors: list[GitopsgenError]) -> GitopsgenError:
    """One error holding every problem of `errors` (of the one kind they share, if they do)."""
    if len(errors) == 1:
        return errors[0]
    kinds = {type(e) for e in errors}
    cls = kinds.pop() if len(kinds) == 1 else GitopsgenError
    return cls(sorted({p for e in errors for p in e.problems}))
