"""Facts derived from a tree that several rules ask for (which Application deploys what, which
Secrets will exist, the workloads), computed once per tree: kept in the tree's index
(`RenderedTree.index.memo`), which is rebuilt when the tree's files change. With the fast path
off (`gitopsgen.core.fastpath.disabled()`) every call computes its answer again, the reference.

What a memo returns is shared by every caller: read it, never edit it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from gitopsgen.core import fastpath
from gitopsgen.tree.manifests import Document, RenderedTree

T = TypeVar("T")


def per_tree(tree: RenderedTree, key: Any, make: Callable[[], T]) -> T:
    """`make()` once per tree (and version of its files) for `key`."""
    if not fastpath.enabled():
        return make()
    return tree.index.memo(key, make)


def per_document(tree: RenderedTree, key: Any, doc: Document, make: Callable[[], T]) -> T:
    """`make()` once per tree for `key` and the document `doc` (the very object: a copy of it,
    or a document of another tree, gets its own answer)."""
    if not fastpath.enabled():
        return make()
    held: tuple[Document, T] = tree.index.memo((key, id(doc)), lambda: (doc, make()))
    if held[0] is not doc:  # another object that once had the same id
        return make()
    return held[1]
