"""`gitopsgen render ENV --output -`: every document of the environment as one YAML stream.

Each document is preceded by `---` and a `# Source: rendered/<env>/<path>` comment, as `helm
template` writes them, so the stream can be piped into `kubectl diff -f -`, a validator or a review
tool, and split back into files. Documents come in file order, then in their order in the file;
each is the same canonical text as in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedTree

SOURCE = "# Source: "


def yaml_stream(trees: Iterable[RenderedTree], *, objects_only: bool = False) -> str:
    """The stream text. `objects_only` leaves out documents that are not Kubernetes objects (Helm
    values, config files), which `kubectl` would refuse."""
    parts = []
    for tree in trees:
        for path in sorted(tree.files):
            for doc in tree.files[path].documents:
                if objects_only and doc.identity is None:
                    continue
                parts.append(f"---\n{SOURCE}{tree.display(path)}\n{yamlio.dump([doc.data])}")
    return "".join(parts)


def write_stream(trees: Iterable[RenderedTree], out: TextIO, *, objects_only: bool = False) -> None:
    out.write(yaml_stream(trees, objects_only=objects_only))
