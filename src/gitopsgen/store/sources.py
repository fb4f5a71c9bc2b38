"""What `gitopsgen schemas import SOURCE...` accepts, read into CRD texts and charts.

A SOURCE is
* a CRD file (`.yaml`, `.yml`, `.json`; several documents; other kinds are ignored);
* a folder, read recursively: its YAML/JSON files, and every folder with a `Chart.yaml` or `.tgz`
  file in it as a chart;
* a Helm chart folder (it has `Chart.yaml`) or chart archive (`.tgz`);
* an http(s) URL, downloaded into the cache first; a URL ending in `.tgz` is a chart archive.

Lock sources never hold absolute paths: a local path is written relative to the repository root,
or, given its upstream origin (store/origins.py), as the upstream URL it is a copy of.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from gitopsgen.core.config import is_url
from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem
from gitopsgen.store import charts
from gitopsgen.store.fetch import Fetcher
from gitopsgen.store.origins import Origin
from gitopsgen.store.templating import TextSource, crd_documents, json_crds

RULE = "schemas"
_CRD_SUFFIXES = (".yaml", ".yml", ".json")
Namer = Callable[[Path], str]
"""How the lock names a local file or folder."""


@dataclass
class Collected:
    crd_files: list[TextSource] = field(default_factory=list)
    charts: list[charts.Chart] = field(default_factory=list)

    def extend(self, other: Collected) -> None:
        self.crd_files.extend(other.crd_files)
        self.charts.extend(other.charts)


def lock_name(path: Path, root: Path) -> str:
    """A local path as the lock records it: relative to the repository root, posix slashes."""
    try:
        return Path(os.path.relpath(path.absolute(), root.absolute())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.name


def check_crd_text(display: str, data: bytes, *, is_json: bool) -> None:
    """Raises unless `data` is UTF-8 text whose CRDs (if any) parse: the cache stores nothing else."""
    text = data.decode("utf-8")
    src = TextSource(display, display, text)
    if is_json:
        json.loads(text)
        json_crds(src)
    else:
        crd_documents(src)


def _url(url: str, fetcher: Fetcher) -> Collected:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix == ".tgz":
        from gitopsgen.core import cache

        def check_archive(data: bytes) -> None:
            charts.archive_files(data, url)

        data = fetcher.cached(url, check_archive, refresh=True)
        chart = charts.read_chart(charts.archive_files(data, url), display=url, source=url,
                                  digest=cache.sha256(data))
        return Collected(charts=[chart])
    data = fetcher.cached(url, lambda d: check_crd_text(url, d, is_json=suffix == ".json"), refresh=True)
    return Collected(crd_files=[TextSource(url, url, data.decode("utf-8"))])


def _with_origin(chart: charts.Chart, origin: Origin | None) -> charts.Chart:
    if origin is None:
        return chart
    return dataclasses.replace(chart, repository=origin.repository or chart.repository,
                               version=origin.version or chart.version,
                               app_version=origin.app_version or chart.app_version)


def _file(path: Path, shown: str, name: Namer, origin: Origin | None) -> Collected:
    if path.suffix.lower() == ".tgz":
        from gitopsgen.core import cache

        data = path.read_bytes()
        chart = charts.read_chart(charts.archive_files(data, shown), display=shown,
                                  source=name(path), digest=cache.sha256(data))
        return Collected(charts=[_with_origin(chart, origin)])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaStoreError(Problem(shown, message=f"is not UTF-8 text ({exc.reason})", rule=RULE)) from exc
    return Collected(crd_files=[TextSource(shown, name(path), text)])


def _folder(folder: Path, shown: str, name: Namer, origin: Origin | None) -> Collected:
    if (folder / "Chart.yaml").is_file():
        chart = charts.read_chart(charts.folder_files(folder), display=shown, source=_folder_name(name(folder)))
        return Collected(charts=[_with_origin(chart, origin)])
    out = Collected()
    for child in sorted(folder.iterdir()):
        if child.name.startswith(".") or child.is_symlink():
            continue
        child_shown = f"{shown.rstrip('/')}/{child.name}"
        if child.is_dir():
            out.extend(_folder(child, child_shown, name, origin))
        elif child.suffix.lower() in (*_CRD_SUFFIXES, ".tgz"):
            out.extend(_file(child, child_shown, name, origin))
    return out


def _folder_name(name: str) -> str:
    """A chart folder's URL ends in "/" (its files are named by appending their path, charts.member)."""
    return name if "://" not in name or name.endswith("/") else name + "/"


def _namer(source: Path, root: Path, origin: Origin | None) -> Namer:
    if origin is None:
        return lambda path: lock_name(path, root)
    return lambda path: origin.name(Path(os.path.relpath(path, source)).as_posix())


def collect(source: str, *, root: Path, fetcher: Fetcher, origin: Origin | None = None) -> Collected:
    """Read one SOURCE argument. Local paths are relative to the current directory; with `origin`,
    the lock names them by their upstream URLs (and a chart by its Helm repository)."""
    if is_url(source):
        return _url(source, fetcher)
    if "://" in source:
        raise SchemaStoreError(Problem(source, message="only http(s) URLs and local paths can be imported",
                                       rule=RULE))
    path = Path(source)
    try:
        name = _namer(path, root, origin)
        if path.is_dir():
            return _folder(path, source, name, origin)
        if path.is_file():
            return _file(path, source, name, origin)
    except OSError as exc:
        raise SchemaStoreError(Problem(source, message=f"cannot be read: {exc.strerror}", rule=RULE)) from exc
    raise SchemaStoreError(Problem(source, message="no such file or folder", rule=RULE,
                                   hint="give a CRD file, a folder, a chart folder or .tgz, or an http(s) URL"))
