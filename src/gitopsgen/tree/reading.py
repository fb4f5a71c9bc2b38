"""Documents of files read from disk, as the API server reads them: an object's identity (a name
YAML 1.1 reads as a boolean or number keeps the object, named by the text as written), the items
of a `kind: List` as documents of their own, and every document's lines from the loader's own
parser (`yamlio.node_lines`). What validation makes of them is `validate.ondisk`'s."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import Document, Identity, Manifest


@dataclass(frozen=True)
class ListDocument(Document):
    """A `kind: List` (or `*List`) document: a container, its items are the documents."""


@dataclass(frozen=True)
class ListItem(Manifest):
    """An object of a List's `items`, placed after the file's own documents."""

    parent: int = 0
    item: int = 0


@dataclass(frozen=True)
class ListEntry(Document):
    """An item of a List that is not an object (checked like a document of its own)."""

    parent: int = 0
    item: int = 0


def scalar_text(value: Any) -> str:
    return value if isinstance(value, str) else yamlio.scalar(value)


def identity(data: Any, written: str | None = None) -> Identity | None:
    """The identity of an object; a name YAML read as a boolean or number counts (as its text),
    so the schema layer reports it rather than the document going unchecked."""
    if not isinstance(data, dict):
        return None
    api_version, kind, meta = data.get("apiVersion"), data.get("kind"), data.get("metadata")
    if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind
            and isinstance(meta, dict)):
        return None
    name, generate = meta.get("name"), meta.get("generateName")
    namespace = meta.get("namespace")
    if isinstance(name, (bool, int, float)):
        name = written or scalar_text(name)
    if not (isinstance(name, str) and name):
        if not (isinstance(generate, str) and generate):
            return None
        name = generate
    return Identity(api_version, kind, namespace if isinstance(namespace, str) else None, name)


def _is_list(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("kind"), str) and data["kind"].endswith("List")
            and isinstance(data.get("items"), list) and isinstance(data.get("apiVersion"), str))


def _written_names(text: str, data: Sequence[Any]) -> dict[int, str]:
    """The name as written of each document whose `metadata.name` YAML read as a boolean or number."""
    odd = [i for i, d in enumerate(data) if isinstance(d, dict) and isinstance(d.get("metadata"), dict)
           and isinstance(d["metadata"].get("name"), (bool, int, float))]
    if not odd or not text:
        return {}
    from gitopsgen.tree.goyaml import written

    lines = yamlio.node_lines(text, list(data))
    return {i: name for i in odd if (name := written(text, lines.get((i, ("metadata", "name"))), "name"))}


def documents(file: str, data: Sequence[Any], text: str = "") -> tuple[Document, ...]:
    """The documents of a file: its own, in order, then the items of its Lists."""
    names = _written_names(text, data)
    own: list[Document] = []
    items: list[Document] = []
    for index, value in enumerate(data):
        if _is_list(value):
            own.append(ListDocument(file, index, value))
            for position, item in enumerate(value["items"]):
                at = len(data) + len(items)
                ident = identity(item)
                items.append(ListItem(file, at, item, ident, parent=index, item=position) if ident is not None
                             else ListEntry(file, at, item, parent=index, item=position))
            continue
        ident = identity(value, names.get(index))
        own.append(Document(file, index, value) if ident is None else Manifest(file, index, value, ident))
    return (*own, *items)


def positions(text: str, docs: Iterable[Document]) -> yamlio.Positions:
    """The line of every node of `docs` in `text`, List items included under their own index."""
    from ruamel.yaml.error import YAMLError

    docs = list(docs)
    own = [d for d in docs if not isinstance(d, (ListItem, ListEntry))]
    try:
        found = yamlio.node_lines(text, [d.data for d in own])
    except (YAMLError, RecursionError):  # cannot happen for a text the loader read; findings keep no line
        return {}
    for doc in docs:
        if isinstance(doc, (ListItem, ListEntry)):
            prefix = ("items", doc.item)
            for (index, path), line in list(found.items()):
                if index == doc.parent and path[:2] == prefix:
                    found[(doc.index, path[2:])] = line
    return found


def template_hint(text: str) -> str | None:
    """A hint for a file that does not parse because it is a template (Helm, Jinja, mkdocs)."""
    if "{{" in text or "{%" in text:
        return ("this looks like a template (`{{ }}` or `{% %}`): validate what it renders "
                "(`helm template ... | gitopsgen validate --path -`), not the template itself")
    return None
