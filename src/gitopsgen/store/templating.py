"""CustomResourceDefinitions out of YAML text, including Helm chart templates.

Charts ship CRDs in three ways: plain YAML in `crds/`, YAML inside
`templates/` wrapped in template lines (`{{- if .Values.crds.create }}` ... `{{- end }}`, as
CloudNativePG's chart does), and a CRD whose text itself holds template actions (labels, a
conversion webhook's service name). Without running Helm, we:

* blank every line that holds nothing but template actions (line numbers stay true), and replace
  the actions inside a line with a placeholder;
* split the text into documents and parse only the ones that say `kind: CustomResourceDefinition`;
* accept a template action inside `metadata` or inside a `spec` field we don't read (e.g.
  `spec.conversion`), and refuse one anywhere else, with its file and line: the schema would
  depend on chart values that only `helm template` knows.

A file outside a chart's `templates/` counts as templated only when it has a line of nothing but
template actions, so a plain CRD whose descriptions mention `{{ .name }}` is read as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem
from gitopsgen.tree import yamlio

RULE = "schemas"
PLACEHOLDER = "gitopsgen-template-action"
_ACTION = re.compile(r"\{\{.*?\}\}")
_ACTION_LINE = re.compile(r"\s*(\{\{.*?\}\}\s*)+(#.*)?")
_SILENT = re.compile(r"\{\{-?\s*(if|else|end|with|range|define|block|/\*|\$[\w]+\s*:?=)")
_DOC_SEPARATOR = re.compile(r"(---|\.\.\.)(\s.*)?")
_CRD_KIND = re.compile(r"^\s*-?\s*kind:\s*[\"']?CustomResourceDefinition[\"']?\s*$", re.MULTILINE)
_KEY = re.compile(r"( *)([A-Za-z][\w.-]*)\s*:(\s|$)")
_USED_SPEC_FIELDS = frozenset({"group", "names", "scope", "versions", "version", "validation",
                               "preserveUnknownFields"})


@dataclass(frozen=True)
class TextSource:
    display: str
    """How errors name the file: a path as given, or `archive.tgz#chart/templates/crds.yaml`."""
    source: str
    """How the lock names it (no absolute paths)."""
    text: str
    templated: bool = False
    """It is a chart template (under `templates/`), so template actions are expected."""


@dataclass(frozen=True)
class FoundCrd:
    data: dict[str, Any]
    line: int
    """1-based line where the CRD's document starts."""


def _error(src: TextSource, line: int | None, message: str, hint: str | None = None) -> SchemaStoreError:
    return SchemaStoreError(Problem(src.display, line, None, message=message, rule=RULE, hint=hint))


def neutralize(src: TextSource) -> tuple[list[str], set[int]]:
    """The lines with template actions blanked or replaced, and the 0-based lines of the actions
    that produce output (the ones that can change a CRD; `if`/`end`/comments don't)."""
    lines = src.text.split("\n")
    if not src.templated and not any(_ACTION_LINE.fullmatch(line) for line in lines):
        return lines, set()
    out: list[str] = []
    actions: set[int] = set()
    open_action = False  # inside an action that spans lines
    for number, line in enumerate(lines):
        if open_action:
            out.append("")
            open_action = "}}" not in line
            continue
        rest = _ACTION.sub("", line).strip()
        if rest != line.strip() and "{{" not in rest and (not rest or rest.startswith("#")):
            out.append("")  # nothing but actions (and maybe a comment)
            if any(not _SILENT.match(m.group(0)) for m in _ACTION.finditer(line)):
                actions.add(number)
            continue
        replaced = _ACTION.sub(PLACEHOLDER, line)
        if replaced != line:
            actions.add(number)
        if "{{" in replaced:  # an action that continues on the next lines
            start = replaced.index("{{")
            if not _SILENT.match(replaced[start:]):
                actions.add(number)
            replaced = replaced[:start]
            open_action = True
        out.append(replaced)
    return out, actions


def _chunks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(0-based first line, lines) of every YAML document in `lines`."""
    start, current = 0, list[str]()
    for number, line in enumerate(lines):
        if _DOC_SEPARATOR.fullmatch(line):
            yield start, current
            start, current = number + 1, []
        else:
            current.append(line)
    yield start, current


def _owner(lines: list[str], upto: int) -> tuple[str | None, str | None]:
    """The top-level key and the `spec` field whose block holds line `upto` (0-based, in `lines`)."""
    top = field = None
    child_indent = None
    for line in lines[: upto + 1]:
        match = _KEY.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        indent = len(match.group(1))
        if indent == 0:
            top, field, child_indent = match.group(2), None, None
        elif top == "spec":
            if child_indent is None:
                child_indent = indent
            if indent == child_indent:
                field = match.group(2)
    return top, field


def _check_actions(src: TextSource, start: int, lines: list[str], actions: set[int]) -> None:
    for number in sorted(a for a in actions if start <= a < start + len(lines)):
        original = src.text.split("\n")[number]
        indent = len(original) - len(original.lstrip())
        top, field = _owner(lines, number - start)
        if indent > 0 and (top == "metadata" or (top == "spec" and field is not None
                                                  and field not in _USED_SPEC_FIELDS)):
            continue
        where = f"spec.{field}" if top == "spec" and field else (top or "the document")
        raise _error(src, number + 1, f"template action inside {where} of a CustomResourceDefinition: "
                     "its schema depends on chart values",
                     hint="render the chart first (helm template --include-crds ...) and import the output")


def _yaml_error(src: TextSource, start: int, exc: Exception) -> SchemaStoreError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = start + mark.line + 1 if mark is not None else None
    problem = " ".join(str(p).strip() for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p)
    return _error(src, line, f"invalid YAML: {problem or exc}")


def crd_documents(src: TextSource) -> list[FoundCrd]:
    """Every CustomResourceDefinition in `src` (also inside a `kind: List`); other kinds are ignored."""
    from ruamel.yaml.error import YAMLError

    lines, actions = neutralize(src)
    found = []
    for start, chunk in _chunks(lines):
        text = "\n".join(chunk)
        if not _CRD_KIND.search(text):
            continue
        try:
            documents = yamlio.load_all(text)
        except YAMLError as exc:
            raise _yaml_error(src, start, exc) from exc
        for doc in documents:
            items = doc.get("items") if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") else [doc]
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("kind") == "CustomResourceDefinition":
                    _check_actions(src, start, chunk, actions)
                    first = next((i for i, line in enumerate(chunk) if line.strip() and not line.startswith("#")), 0)
                    found.append(FoundCrd(item, start + first + 1))
    return found


def json_crds(src: TextSource) -> list[FoundCrd]:
    """CRDs of a JSON file (one object or a `kind: List`)."""
    import json

    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise _error(src, exc.lineno, f"invalid JSON: {exc.msg}") from exc
    items = data.get("items") if isinstance(data, dict) and str(data.get("kind", "")).endswith("List") else [data]
    return [FoundCrd(item, 1) for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and item.get("kind") == "CustomResourceDefinition"]
