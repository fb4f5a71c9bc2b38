"""Where custom-resource and chart-values schemas come from, in order (the first that has one wins):

1. the repository's committed store, `<root>/schemas/` (exact versions, offline);
2. `--schema-location` entries (or `[validate] schema-locations`): folders in kubeconform's
   CRDs-catalog layout `{group}/{kind}_{version}.json` (with `charts/{chart}/` for chart values),
   or path/URL templates with `{{.Group}}`, `{{.ResourceKind}}` (kind lowercased) and
   `{{.ResourceAPIVersion}}`; a URL is downloaded once into the cache, and a 404 means "not here"
   (remembered in the cache as well: delete `<cache>/urls/` to ask again);
   then `--chart-schema-location` folders of `{chart}/` folders;
3. the default store shipped inside the package (`gitopsgen/store/default/`), built by
   `gitopsgen schemas import` for the operator versions the default templates pin.

A location that does not exist is an error (exit 2), reported before anything is rendered.
`SchemaStore.lookup()` and `.chart()` are what validators ask; `memo()` keeps what they compile
(one validator per (apiVersion, kind)) for the life of the store, and `Found.compiled()` /
`ChartFiles.compiled()` with the schema itself, so that the packaged store's schemas (read once
per process) are compiled once per process.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from gitopsgen.core.config import is_url
from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem
from gitopsgen.store import lock as lockfile
from gitopsgen.tree import yamlio

T = TypeVar("T")
REPOSITORY_STORE = "schemas"
_TEMPLATE_VARS = re.compile(r"\{\{\s*\.(Group|ResourceKind|ResourceAPIVersion|KindSuffix)\s*\}\}")


class _Compiled:
    """What validators compile from a schema, kept with it: for the packaged store, whose reads
    live as long as the process, that is once per process rather than once per store."""

    _compiled: dict[Any, Any]

    def compiled(self, key: Any, make: Callable[[], T]) -> T:
        if key not in self._compiled:
            self._compiled[key] = make()
        value: T = self._compiled[key]
        return value


@dataclass(frozen=True)
class Found(_Compiled):
    schema: dict[str, Any]
    origin: str
    """Where it came from, for messages: a path, a URL, or `gitopsgen default store: <path>`."""
    _compiled: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ChartFiles(_Compiled):
    name: str
    version: str | None
    """`version` of the chart's Chart.yaml, when there is one."""
    values: dict[str, Any]
    """The chart's default values (empty when the store has no values.yaml)."""
    values_schema: dict[str, Any] | None
    origin: str
    _compiled: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


def _json(node: Traversable, origin: str) -> dict[str, Any]:
    try:
        data = json.loads(node.read_bytes())
    except (ValueError, OSError) as exc:
        raise SchemaStoreError(Problem(origin, message=f"not a readable JSON schema: {exc}", rule="schemas")) from exc
    if not isinstance(data, dict):
        raise SchemaStoreError(Problem(origin, message="a schema must be a JSON object", rule="schemas"))
    return data


def _yaml(node: Traversable) -> Any:
    documents = yamlio.load_all(node.read_text(encoding="utf-8"))
    return documents[0] if documents else None


def known_version(version: object) -> str | None:
    """A chart version, or None when unset or the `0.0.0` placeholder of a chart read from source
    control: some charts (cert-manager) have their version set only when released, so their
    Chart.yaml in git says v0.0.0, which says nothing about the pinned release."""
    if version is None or str(version).removeprefix("v") == "0.0.0":
        return None
    return str(version)


def read_chart_folder(folder: Traversable, name: str, origin: str) -> ChartFiles | None:
    """A chart folder (`Chart.yaml`, `values.yaml`, `values.schema.json`, each optional)."""
    if not folder.is_dir():
        return None
    meta = _yaml(folder / "Chart.yaml") if (folder / "Chart.yaml").is_file() else None
    version = meta.get("version") if isinstance(meta, dict) else None
    values = _yaml(folder / "values.yaml") if (folder / "values.yaml").is_file() else None
    schema_file = folder / "values.schema.json"
    schema = _json(schema_file, f"{origin}/values.schema.json") if schema_file.is_file() else None
    return ChartFiles(name, known_version(version), values if isinstance(values, dict) else {}, schema, origin)


@dataclass(frozen=True)
class Location:
    """A folder in the store layout: a repository store, a --schema-location folder, the default store."""

    folder: Traversable
    label: str
    """How messages name it: `schemas`, a path as given, `gitopsgen default store`."""
    charts_folder: str | None = "charts"
    """Sub-folder holding `{chart}/`; "" for a --chart-schema-location; None: no charts."""
    crds: bool = True
    reads: dict[Any, Any] | None = field(default=None, compare=False, hash=False)
    """Reads kept across runs in one process; only for files that never change (the packaged store)."""

    def _kept(self, key: Any, read: Callable[[], T]) -> T:
        if self.reads is None:
            return read()
        if key not in self.reads:
            self.reads[key] = read()
        value: T = self.reads[key]
        return value

    def crd(self, group: str, version: str, kind: str) -> Found | None:
        if not self.crds or not group:
            return None
        name = f"{group}/{kind.lower()}_{version}.json"

        def read() -> Found | None:
            node = self.folder / group / f"{kind.lower()}_{version}.json"
            return Found(_json(node, f"{self.label}/{name}"), f"{self.label}/{name}") if node.is_file() else None

        return self._kept(("crd", name), read)

    def chart(self, name: str) -> ChartFiles | None:
        if self.charts_folder is None:
            return None
        sub = f"{self.charts_folder}/{name}" if self.charts_folder else name
        return self._kept(("chart", name), lambda: read_chart_folder(self.folder / sub, name, f"{self.label}/{sub}"))

    def lock(self) -> lockfile.Lock | None:
        node = self.folder / lockfile.FILE_NAME
        return lockfile.parse(node.read_bytes(), f"{self.label}/{lockfile.FILE_NAME}") if node.is_file() else None


@dataclass(frozen=True)
class TemplateLocation:
    """A kubeconform-style path or URL template; CRDs only."""

    template: str

    def expand(self, group: str, version: str, kind: str) -> str:
        values = {"Group": group, "ResourceKind": kind.lower(), "ResourceAPIVersion": version,
                  "KindSuffix": group.split(".", maxsplit=1)[0]}
        return _TEMPLATE_VARS.sub(lambda m: values[m.group(1)], self.template)

    def crd(self, group: str, version: str, kind: str) -> Found | None:
        target = self.expand(group, version, kind)
        if is_url(target):
            from gitopsgen.core import cache
            from gitopsgen.core.atomic import atomic_write
            from gitopsgen.store.fetch import Fetcher, NotFound

            def check(data: bytes) -> None:
                if not isinstance(json.loads(data), dict):
                    raise ValueError("not a JSON object")

            # Downloaded once, either answer: a 404 is remembered too, so a second run is offline.
            cached = cache.url_path(target)
            absent = cached.with_name(cached.name + ".404")
            if absent.is_file():
                return None
            try:
                data = Fetcher(online_command="gitopsgen render").cached(target, check)
            except NotFound:
                atomic_write(absent, b"")
                return None
            return Found(json.loads(data), target)
        path = Path(target)
        return Found(_json(path, target), target) if path.is_file() else None

    def chart(self, name: str) -> ChartFiles | None:
        return None

    def lock(self) -> lockfile.Lock | None:
        return None


AnyLocation = Location | TemplateLocation


@cache
def default_store() -> Location:
    """The store packaged with gitopsgen (read through importlib.resources, so a zipped install works)."""
    return Location(importlib.resources.files("gitopsgen.store") / "default", "gitopsgen default store", reads={})


@dataclass
class SchemaStore:
    locations: list[AnyLocation]
    _memo: dict[Any, Any] = field(default_factory=dict)

    def memo(self, key: Any, make: Callable[[], T]) -> T:
        """`make()` once per key for the life of this store (compiled validators)."""
        if key not in self._memo:
            self._memo[key] = make()
        value: T = self._memo[key]
        return value

    def lookup(self, group: str, version: str, kind: str) -> Found | None:
        def find() -> Found | None:
            return next((f for loc in self.locations if (f := loc.crd(group, version, kind)) is not None), None)

        return self.memo(("crd", group, version, kind), find)

    def chart(self, name: str) -> ChartFiles | None:
        def find() -> ChartFiles | None:
            return next((c for loc in self.locations if (c := loc.chart(name)) is not None), None)

        return self.memo(("chart", name), find)

    def chart_release(self, name: str) -> tuple[str, str] | None:
        """(version, store) of `name` in the lock of the first store that records the chart."""

        def find() -> tuple[str, str] | None:
            for loc in self.locations:
                held = self.memo(("lock", id(loc)), loc.lock)
                if held is not None and name in held.charts and isinstance(loc, Location):
                    version = known_version(held.charts[name].version)
                    return (version, loc.label) if version is not None else None
            return None

        return self.memo(("release", name), find)


def _missing(location: str, what: str) -> SchemaStoreError:
    return SchemaStoreError(Problem(location, message=f"schema location does not exist ({what})", rule="schemas",
                                    hint="give a folder, or a path or URL template with {{.Group}}, "
                                         "{{.ResourceKind}} and {{.ResourceAPIVersion}}"))


def parse_location(text: str) -> AnyLocation:
    """A --schema-location value; raises SchemaStoreError when a local one does not exist."""
    if "{{" in text:
        if not is_url(text):
            static = Path(text.split("{{", 1)[0])
            folder = static if text.split("{{", 1)[0].endswith(("/", "\\")) else static.parent
            if not folder.is_dir():
                raise _missing(text, f"no folder {folder}")
        return TemplateLocation(text)
    if is_url(text):
        raise SchemaStoreError(Problem(text, message="a schema location URL must be a template",
                                       rule="schemas",
                                       hint="e.g. https://host/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"))
    path = Path(text)
    if not path.is_dir():
        raise _missing(text, "not a folder")
    return Location(path, text)


def open_store(root: Path | None, schema_locations: Sequence[str] = (), chart_locations: Sequence[str] = (), *,
               repository: bool = True, default: bool = True) -> SchemaStore:
    """The store for a run: the repository's schemas/, the given locations, the packaged default."""
    locations: list[AnyLocation] = []
    if repository and root is not None and (root / REPOSITORY_STORE).is_dir():
        locations.append(Location(root / REPOSITORY_STORE, REPOSITORY_STORE))
    problems = []
    for text in schema_locations:
        try:
            locations.append(parse_location(text))
        except SchemaStoreError as exc:
            problems.extend(exc.problems)
    for text in chart_locations:
        if Path(text).is_dir():
            locations.append(Location(Path(text), text, charts_folder="", crds=False))
        else:
            problems.extend(_missing(text, "not a folder").problems)
    if problems:
        raise SchemaStoreError(problems)
    if default:
        locations.append(default_store())
    return SchemaStore(locations)
