"""Turn collected sources into store files, and write them into a store folder.

Store layout (kubeconform's CRDs-catalog layout plus the chart folders `validate/charts.py` reads):

    {group}/{kind lowercased}_{version}.json      one strict schema per CRD version (store/convert.py)
    charts/{chart}/Chart.yaml                     name, version, appVersion only
    charts/{chart}/values.yaml                    the data of the chart's values.yaml (comments dropped)
    charts/{chart}/values.schema.json             the chart's schema, descriptions dropped
    lock.json                                     store/lock.py

Everything is computed in memory first, so bad input changes nothing on disk. Writing: `import`
merges into the store (what it imports replaces what earlier imports brought from the same chart or
source file); `sync` makes the store exactly its result. Only files the old lock lists are ever
deleted, so a store folder may share its directory with other files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gitopsgen.core import cache
from gitopsgen.core.atomic import atomic_write
from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem
from gitopsgen.store import lock as lockfile
from gitopsgen.store.charts import Chart
from gitopsgen.store.convert import crd_schemas, dumps, strip_prose
from gitopsgen.store.sources import Collected
from gitopsgen.store.templating import TextSource, crd_documents, json_crds
from gitopsgen.tree import yamlio
from gitopsgen.tree.write import Change, FileChange

RULE = "schemas"


@dataclass
class StoreContent:
    files: dict[str, bytes] = field(default_factory=dict)
    lock: lockfile.Lock = field(default_factory=lockfile.Lock)
    shown: dict[str, str] = field(default_factory=dict)
    """path -> where it came from, as errors name it."""

    def add(self, path: str, data: bytes, source: str, shown: str, chart: Chart | None = None,
            digest: str | None = None) -> None:
        """Store file `path` made from the input `source` (`digest`: the input's sha256)."""
        if path in self.files:
            if self.files[path] != data:
                raise SchemaStoreError(Problem(shown, message=f"gives another {path} than {self.shown[path]}",
                                               rule=RULE, hint="import one of them, or import them into two stores"))
            return
        self.files[path] = data
        self.shown[path] = shown
        self.lock.files[path] = lockfile.FileEntry(path, cache.sha256(data), source,
                                                   chart.name if chart else None, chart.version if chart else None,
                                                   digest)

    @property
    def crd_paths(self) -> list[str]:
        return sorted(p for p in self.files if not p.startswith("charts/"))


def _digest(src: TextSource) -> str:
    """sha256 of the CRD file as read (it was decoded from UTF-8, so this gives back its bytes)."""
    return cache.sha256(src.text.encode("utf-8"))


def _crds(src: TextSource) -> list[tuple[str, bytes]]:
    found = json_crds(src) if src.display.lower().endswith(".json") else crd_documents(src)
    out: list[tuple[str, bytes]] = []
    for crd in found:
        try:
            schemas = crd_schemas(crd.data)
        except ValueError as exc:
            raise SchemaStoreError(Problem(src.display, crd.line, None, rule=RULE,
                                           message=f"not a usable CustomResourceDefinition: {exc}")) from exc
        out.extend((s.path, dumps(s.schema)) for s in schemas)
    return out


def _chart(content: StoreContent, chart: Chart) -> None:
    known = content.lock.charts.get(chart.name)
    if known is not None and known.version != chart.version:
        raise SchemaStoreError(Problem(chart.source, message=f"chart {chart.name} {chart.version}: version "
                                       f"{known.version} is imported too (from {known.source})", rule=RULE,
                                       hint="a store holds one version of each chart"))
    content.lock.charts[chart.name] = lockfile.ChartEntry(chart.name, chart.version, chart.source, chart.app_version,
                                                          chart.repository, chart.digest)
    for src in chart.crd_files:
        for path, data in _crds(src):
            content.add(path, data, src.source, src.display, chart, _digest(src))
    base = f"charts/{chart.name}"
    meta = {"name": chart.name, "version": chart.version}
    if chart.app_version is not None:
        meta["appVersion"] = chart.app_version
    # A local folder or an archive is the Chart.yaml's source as before; an upstream folder URL gets the file's URL
    chart_yaml = chart.member("Chart.yaml") if chart.source.endswith("/") else chart.source
    content.add(f"{base}/Chart.yaml", yamlio.dump([meta]).encode(), chart_yaml, chart.source, chart,
                chart.digests.get("Chart.yaml"))
    if chart.values is not None:
        content.add(f"{base}/values.yaml", yamlio.dump([chart.values]).encode(), chart.member("values.yaml"),
                    chart.source, chart, chart.digests.get("values.yaml"))
    if chart.values_schema is not None:
        content.add(f"{base}/values.schema.json", dumps(strip_prose(chart.values_schema)),
                    chart.member("values.schema.json"), chart.source, chart, chart.digests.get("values.schema.json"))


def build(collected: list[tuple[str, Collected]]) -> StoreContent:
    """Store files for every (SOURCE argument, what it held); a source with nothing usable is an error."""
    content = StoreContent()
    for shown, item in collected:
        found = 0
        for src in item.crd_files:
            for path, data in _crds(src):
                content.add(path, data, src.source, src.display, digest=_digest(src))
                found += 1
        for chart in item.charts:
            _chart(content, chart)
        if not found and not item.charts:
            raise SchemaStoreError(Problem(shown, message="holds no CustomResourceDefinition and no Helm chart",
                                           rule=RULE))
    return content


@dataclass
class StoreResult:
    out: Path
    content: StoreContent
    changes: list[FileChange]
    warnings: list[Problem] = field(default_factory=list)
    """What was left out and why (a chart from a registry this version cannot read)."""


def _owner(entry: lockfile.FileEntry) -> str:
    return f"chart:{entry.chart}" if entry.chart else f"source:{entry.source}"


def write(content: StoreContent, out: Path, *, exact: bool) -> StoreResult:
    """Write `content` into the store folder `out` (merged, or `exact`); returns what changed."""
    try:
        return _write(content, out, exact=exact)
    except OSError as exc:
        raise SchemaStoreError(Problem(str(exc.filename or out), message=f"cannot write the store: {exc.strerror}",
                                       rule=RULE)) from exc


def _write(content: StoreContent, out: Path, *, exact: bool) -> StoreResult:
    old = lockfile.read(out) or lockfile.Lock()
    new = lockfile.Lock(dict(content.lock.files), dict(content.lock.charts))
    if not exact:
        owners = {_owner(e) for e in content.lock.files.values()} | {f"chart:{c}" for c in content.lock.charts}
        for path, entry in old.files.items():
            if path not in new.files and _owner(entry) not in owners:
                new.files[path] = entry
        for name, chart in old.charts.items():
            new.charts.setdefault(name, chart)
    changes: list[FileChange] = []
    for path in sorted(content.files):
        target = out / path
        existing = target.read_bytes() if target.is_file() else None
        if existing != content.files[path]:
            atomic_write(target, content.files[path])
            changes.append(FileChange(path, Change.ADDED if existing is None else Change.MODIFIED))
    for path in sorted(set(old.files) - set(new.files)):
        target = out / path
        if ".." in Path(path).parts or Path(path).is_absolute():
            continue  # a lock names files inside its store only; never follow one elsewhere
        if target.is_file():
            target.unlink()
            changes.append(FileChange(path, Change.REMOVED))
            for parent in target.parents:
                if parent == out or not parent.is_relative_to(out) or any(parent.iterdir()):
                    break
                parent.rmdir()
    lock_bytes = new.to_bytes()
    lock_path = out / lockfile.FILE_NAME
    if not lock_path.is_file() or lock_path.read_bytes() != lock_bytes:
        existed = lock_path.is_file()
        atomic_write(lock_path, lock_bytes)
        changes.append(FileChange(lockfile.FILE_NAME, Change.MODIFIED if existed else Change.ADDED))
    return StoreResult(out, content, sorted(changes))
