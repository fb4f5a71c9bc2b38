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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitopsgen.core.problems import Problem, Severity
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.tree.reading import ListDocument, ListEntry, identity, scalar_text

if TYPE_CHECKING:
    from gitopsgen.store.locations import SchemaStore

RULE = "document"


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
                          if value is None or value == "" else f"{key} must be a string, got {scalar_text(value)}"))
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


def require_documents(tally: Tally, problems: Sequence[Problem], paths: Sequence[str]) -> None:
    """Bad input (exit 2) when the paths hold no document at all and no file failed to parse:
    an empty folder or a wrong glob must not pass as "validated 0 documents"."""
    from gitopsgen.core.errors import UsageError

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
