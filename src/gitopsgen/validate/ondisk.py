"""Documents of files read from disk (`validate --path`): what each one is, so that none passes unchecked.

A document is one of:

* a Kubernetes object (string `apiVersion`, `kind` and `metadata.name` or `generateName`): a
  `Manifest`, validated by every layer. A name YAML 1.1 reads as a boolean or a number (`name: n`)
  keeps the object a `Manifest` (named by the text as written): the schema layer then says the
  value is not a string, with a quoting hint, and validates the rest;
* a list (`kind: List` or any `*List` with `items`, what `kubectl get -o yaml` writes): each item
  becomes a document of its own (`ListItem`), validated at its own lines;
* something that looks like an object but lacks what the API server needs (`apiVersion`, `kind`,
  `metadata.name`): an error at its line (kubectl: "Object 'Kind' is missing");
* a data file (a Helm values file, a tool's configuration): said so as a note.

Lines come from the same parser as the loader (`yamlio.node_lines`), so any text that loads has
lines, and a List item's lines are those of its node in the list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitopsgen import yamlio
from gitopsgen.manifests import Document, Identity, Manifest, RenderedTree
from gitopsgen.problems import Problem, Severity

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore

RULE = "document"


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


def _scalar_text(value: Any) -> str:
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
        name = written or _scalar_text(name)
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
    from gitopsgen.validate.goyaml import written

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


@dataclass
class Tally:
    """What happened to the documents read: validated, or skipped and why."""

    validated: int = 0
    skipped: Counter[str] | None = None

    def skip(self, why: str) -> None:
        if self.skipped is None:
            self.skipped = Counter()
        self.skipped[why] += 1

    @property
    def total(self) -> int:
        return self.validated + sum((self.skipped or Counter()).values())


def _looks_like_object(data: dict[str, Any], known: Any) -> bool:
    """A document meant as a Kubernetes object (rather than a data file): it has `metadata` and
    an `apiVersion` or `kind` key, or its (apiVersion, kind) is one the cluster would serve."""
    if isinstance(data.get("metadata"), dict) and ("apiVersion" in data or "kind" in data):
        return True
    if "kind" in data and not isinstance(data["kind"], str):
        return True  # `kind:` with no value
    api_version, kind = data.get("apiVersion"), data.get("kind")
    return isinstance(api_version, str) and isinstance(kind, str) and known(api_version, kind)


def _missing(data: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(path, message) of the first thing an object lacks, in the API server's words and order
    (apimachinery's decoder asks for the kind, then the version; validation then for the name)."""
    found: list[tuple[tuple[str, ...], str]] = []
    for key in ("kind", "apiVersion"):
        value = data.get(key)
        if not (isinstance(value, str) and value):
            # apimachinery's words (runtime.NewMissingKindErr, NewMissingVersionErr)
            shown = "Kind" if key == "kind" else key
            found.append(((key,) if key in data else (), f"Object '{shown}' is missing"
                          if value is None or value == "" else f"{key} must be a string, got {_scalar_text(value)}"))
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        found.append((("metadata",) if "metadata" in data else (),
                      "metadata.name: Required value: name or generateName is required"))
    elif identity({**data, "apiVersion": "v1", "kind": "X"}) is None:
        found.append((("metadata", "name"), "Required value: name or generateName is required"))
    return found[:1]


def check_tree(tree: RenderedTree, store: SchemaStore, version: str, tally: Tally) -> list[Problem]:
    """Problems (and notes) for the documents of `tree` that are not validated as objects, and the
    tally of every document."""
    from gitopsgen.validate import kinds
    from gitopsgen.validate.schemas import resolve_kubernetes_version

    version = resolve_kubernetes_version(version)[0]

    def known(api_version: str, kind: str) -> bool:
        group = api_version.rpartition("/")[0]
        return (any(k == (group, api_version.rpartition("/")[2], kind) for k in kinds.builtin_kinds(version))
                or any(k[2].lower() == kind.lower() for k in kinds.store_kinds(store, group)))

    problems: list[Problem] = []
    for path in sorted(tree.files):
        rendered = tree.files[path]
        shown = tree.display(path)
        for doc in rendered.documents:
            if isinstance(doc, ListDocument):
                if not doc.data["items"]:
                    tally.skip("empty List")
                continue
            if isinstance(doc, Manifest):
                tally.validated += 1
                continue
            line = rendered.line_of(doc.index, ())
            data = doc.data
            if isinstance(data, dict) and _looks_like_object(data, known):
                tally.skip("not an object: no apiVersion, kind or metadata.name")
                for at, message in _missing(data):
                    problems.append(Problem(shown, rendered.line_of(doc.index, at), None, ".".join(at), message,
                                            rule=RULE, hint="every Kubernetes object needs a string apiVersion, "
                                            "kind and metadata.name (or metadata.generateName)"))
                continue
            if isinstance(doc, ListEntry):
                tally.skip("not an object: no apiVersion, kind or metadata.name")
                problems.append(Problem(shown, line, None, "", "a List item must be a Kubernetes object "
                                        "(apiVersion, kind, metadata.name)", rule=RULE))
                continue
            tally.skip("data file")
            what = "mapping" if isinstance(data, dict) else "sequence" if isinstance(data, list) else "scalar"
            problems.append(Problem(shown, line, None, "", f"a data document (a {what} without apiVersion and "
                                    "kind), not a Kubernetes object: not checked", rule=RULE,
                                    severity=Severity.INFO))
    return problems


def template_hint(text: str) -> str | None:
    """A hint for a file that does not parse because it is a template (Helm, Jinja, mkdocs)."""
    if "{{" in text or "{%" in text:
        return ("this looks like a template (`{{ }}` or `{% %}`): validate what it renders "
                "(`helm template ... | gitopsgen validate --path -`), not the template itself")
    return None


def require_documents(tally: Tally, problems: Sequence[Problem], paths: Sequence[str]) -> None:
    """Bad input (exit 2) when the paths hold no document at all and no file failed to parse:
    an empty folder or a wrong glob must not pass as "validated 0 documents"."""
    from gitopsgen.errors import UsageError

    if tally.total == 0 and not any(p.severity is Severity.ERROR for p in problems):
        raise UsageError(f"no YAML documents found in {', '.join(paths) or 'the input'} "
                         "(folders are searched for *.yaml, *.yml and *.json)")


STDIN = "-"
"""`--path -`: the documents on standard input."""


def positional_paths(envs: Sequence[str]) -> tuple[Path, ...] | None:
    """Positional arguments after `--path` taken as more paths (the shell's expansion of
    `--path rendered/prd/*.yaml`), when every one is an existing file or folder or `-`; None
    when one is not (then they are environment names, and mixing the two is bad input)."""
    if envs and all(e == STDIN or Path(e).exists() for e in envs):
        return tuple(Path(e) for e in envs)
    return None


def is_unchecked_note(problem: Problem) -> bool:
    """A note saying a document was not checked (a data file, a kind without a schema): shown as
    a notice in CI formats even without -v, so that what went unchecked is visible there."""
    return problem.severity is Severity.INFO and (
        problem.rule == RULE or (problem.rule == "schema" and problem.message.startswith("no schema for")))
