"""`gitopsgen.toml` at the repository root: settings a plain `gitopsgen render` uses; flags override them.

    [validate]
    schema-locations = ["crds", "https://example.org/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"]
    kubernetes-version = "1.33"
    strict = true

    [schemas]
    crd-urls = ["https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml"]
    mirrors = { "https://charts.example.org" = "https://artifactory.example.org/helm" }

    [fleet]
    enabled = true          # one ApplicationSet (rendered/_fleet/) instead of a root Application per environment
    generator = "git"       # "git": a directory generator over rendered/*/apps; "list": the environments, listed

    [templates]
    add = true              # templates/ adds new templates beside the packaged ones (instead of replacing them all)

A missing file means defaults. Unknown keys and values of the wrong type are errors located at
their line (tomllib keeps no positions; a text search for the key finds it, which is good enough
for a hand-written settings file). Relative paths are relative to the repository root.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitopsgen.core.errors import ConfigError
from gitopsgen.core.problems import Problem

FILE_NAME = "gitopsgen.toml"
_Check = Callable[[Any], str | None]
"""A value's complaint, or None when it is fine."""
_KUBERNETES_VERSION = re.compile(r"1\.\d+")


@dataclass(frozen=True)
class Config:
    file: Path | None = None
    """The file read, None when the repository has none."""
    schema_locations: tuple[str, ...] = ()
    """Folders (resolved against the root) and path/URL templates, in order."""
    kubernetes_version: str | None = None
    strict: bool | None = None
    crd_urls: tuple[str, ...] = ()
    """Extra CRD sources for `schemas sync`: URLs, or paths (resolved against the root)."""
    mirrors: tuple[tuple[str, str], ...] = ()
    """(Helm repository URL as the spec writes it, URL to fetch it from instead)."""
    fleet: bool = False
    """Fleet mode: Argo CD's ApplicationSet controller creates each environment's root Application."""
    fleet_generator: str = "git"
    templates_add: bool = False
    """templates/ holds additions to the packaged templates (new paths only), not a whole set."""

    def mirror(self, repo_url: str) -> str | None:
        return dict(self.mirrors).get(repo_url)


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def resolve(root: Path, location: str) -> str:
    """A location from the configuration file: URLs as they are, paths relative to `root`."""
    if is_url(location) or Path(location).is_absolute():
        return location
    return str(root / location)


def _line_of(lines: list[str], table: str, key: str) -> int | None:
    """The line of `key` in `[table]` (or written `table.key = ...`); for a top-level `key`, its
    line or its `[key]` header; else the table's header line."""
    header = None
    current = ""
    pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
    dotted = re.compile(rf"""^\s*{re.escape(table)}\s*\.\s*(["']?){re.escape(key)}\1\s*=""")
    for number, line in enumerate(lines, start=1):
        match = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]", line)
        if match:
            current = re.sub(r"[\s\"']", "", match.group(1))
            if table and current == table and header is None:
                header = number
            if not table and (current == key or current.startswith(f"{key}.")):
                return number
            continue
        if current == table and pattern.match(line):
            return number
        if table and current == "" and dotted.match(line):
            return number
    return header


class _Reader:
    def __init__(self, shown: str, text: str) -> None:
        self.shown = shown
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def error(self, table: str, key: str, message: str, hint: str | None = None) -> None:
        path = f"{table}.{key}" if table and key else table or key
        self.problems.append(Problem(self.shown, _line_of(self.lines, table, key), None, path, message,
                                     rule="config", hint=hint))

    def table(self, data: dict[str, Any], table: str, known: Mapping[str, _Check]) -> dict[str, Any]:
        section = data.get(table, {})
        if not isinstance(section, dict):
            self.error("", table, f"must be a table ([{table}])")
            return {}
        for key, value in section.items():
            check = known.get(key)
            if check is None:
                self.error(table, key, f"unknown key {key!r} in [{table}]",
                           hint="known keys: " + ", ".join(sorted(known)))
                continue
            complaint = check(value)
            if complaint:
                self.error(table, key, complaint)
        return {k: v for k, v in section.items() if k in known and not known[k](v)}


def _strings(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return None
    return "must be a list of non-empty strings"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _kubernetes_version(value: Any) -> str | None:
    if isinstance(value, str) and _KUBERNETES_VERSION.fullmatch(value):
        return None
    return 'must be a Kubernetes minor version as a string, such as "1.33"'


def _mirrors(value: Any) -> str | None:
    if isinstance(value, dict) and all(isinstance(v, str) and is_url(v) for v in value.values()):
        return None
    return 'must map repository URLs to http(s) URLs: { "https://charts.example.org" = "https://mirror/helm" }'


FLEET_GENERATORS = ("git", "list")


def _generator(value: Any) -> str | None:
    return None if value in FLEET_GENERATORS else f"must be one of {', '.join(map(repr, FLEET_GENERATORS))}"


_VALIDATE = {"schema-locations": _strings, "kubernetes-version": _kubernetes_version, "strict": _boolean}
_SCHEMAS = {"crd-urls": _strings, "mirrors": _mirrors}
_FLEET = {"enabled": _boolean, "generator": _generator}
_TEMPLATES = {"add": _boolean}


def load(root: Path) -> Config:
    """The settings of the repository at `root` (defaults when it has no gitopsgen.toml)."""
    file = root / FILE_NAME
    if not file.is_file():
        return Config()
    shown = FILE_NAME
    try:
        text = file.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(Problem(shown, message=f"cannot read: {exc.strerror}", rule="config")) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(Problem(shown, line, column, message=f"not valid TOML: {message}", rule="config")) from exc

    reader = _Reader(shown, text)
    for key in data:
        if key not in ("validate", "schemas", "fleet", "templates"):
            reader.error("", key, f"unknown key or table {key!r}",
                         hint="known tables: [validate], [schemas], [fleet], [templates]")
    validate = reader.table(data, "validate", _VALIDATE)
    schemas = reader.table(data, "schemas", _SCHEMAS)
    fleet = reader.table(data, "fleet", _FLEET)
    templates = reader.table(data, "templates", _TEMPLATES)
    if reader.problems:
        raise ConfigError(reader.problems)
    return Config(
        file=file,
        schema_locations=tuple(resolve(root, v) for v in validate.get("schema-locations", [])),
        kubernetes_version=validate.get("kubernetes-version"),
        strict=validate.get("strict"),
        crd_urls=tuple(resolve(root, v) for v in schemas.get("crd-urls", [])),
        mirrors=tuple(sorted(schemas.get("mirrors", {}).items())),
        fleet=fleet.get("enabled", False),
        fleet_generator=fleet.get("generator", "git"),
        templates_add=templates.get("add", False),
    )
