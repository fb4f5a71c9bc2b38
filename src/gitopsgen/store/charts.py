"""A Helm chart as files: from a folder or a `.tgz`, read in memory (nothing is extracted to disk).

What the store takes from a chart: its name and version (`Chart.yaml`), its CRDs (every file of
`crds/`, and every file of `templates/` that holds `kind: CustomResourceDefinition`), its
`values.schema.json`, and the data of its `values.yaml`. Subcharts (`charts/`) are not read.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from gitopsgen.core import cache
from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem
from gitopsgen.store.templating import TextSource
from gitopsgen.tree import yamlio

RULE = "schemas"
_CRD_TEXT = re.compile(r"^\s*kind:\s*[\"']?CustomResourceDefinition", re.MULTILINE)
_YAML = (".yaml", ".yml")
_CHART_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # becomes a folder name: no "/" and no ".."


@dataclass(frozen=True)
class Chart:
    name: str
    version: str
    app_version: str | None
    source: str
    """How the lock names the chart: a path relative to the root, a URL, or the URL of the chart's
    upstream folder (ending in "/"; see `member`)."""
    repository: str | None = None
    """The Helm repository URL it was fetched from (sync), else None."""
    digest: str | None = None
    """sha256 of the archive, when there is one."""
    crd_files: list[TextSource] = field(default_factory=list)
    values: Any = None
    values_schema: dict[str, Any] | None = None
    digests: dict[str, str] = field(default_factory=dict)
    """sha256 of each file read (`Chart.yaml`, `values.yaml`, `values.schema.json`), by path in the chart."""

    def member(self, path: str) -> str:
        return member(self.source, path)


def member(source: str, path: str) -> str:
    """How the lock names the file `path` of the chart at `source`: `<source>#<path>` (an archive or
    a local folder), or `<source><path>` when `source` is a folder URL (ending in "/")."""
    return f"{source}{path}" if source.endswith("/") else f"{source}#{path}"


def _error(display: str, message: str, line: int | None = None) -> SchemaStoreError:
    return SchemaStoreError(Problem(display, line, None, message=message, rule=RULE))


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every regular file under a chart folder, by posix path relative to it."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def archive_files(data: bytes, display: str) -> dict[str, bytes]:
    """The files of the chart at the top of a chart archive (`<name>/Chart.yaml`, ...)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            top = {PurePosixPath(m.name).parts[0] for m in members if PurePosixPath(m.name).parts}
            charts = sorted(t for t in top if any(m.name == f"{t}/Chart.yaml" for m in members))
            if not charts:
                raise _error(display, "not a Helm chart archive: no <chart>/Chart.yaml inside")
            prefix = charts[0] + "/"
            out = {}
            for member in members:
                if member.name.startswith(prefix) and ".." not in PurePosixPath(member.name).parts:
                    handle = tar.extractfile(member)
                    if handle is not None:
                        out[member.name[len(prefix):]] = handle.read()
            return out
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _error(display, f"not a readable chart archive (.tgz): {exc}") from exc


def _text(data: bytes, display: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(display, f"is not UTF-8 text ({exc.reason})") from exc


def _yaml(data: bytes, display: str) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        documents = yamlio.load_all(_text(data, display))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(display, f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                     mark.line + 1 if mark is not None else None) from exc
    return documents[0] if documents else None


def read_chart(files: dict[str, bytes], *, display: str, source: str, repository: str | None = None,
               digest: str | None = None) -> Chart:
    """A chart from its files. `display` names it in errors (`path` or `archive.tgz`), `source` in the lock."""
    if "Chart.yaml" not in files:
        raise _error(display, "not a Helm chart: no Chart.yaml")
    meta = _yaml(files["Chart.yaml"], f"{display}#Chart.yaml")
    if not isinstance(meta, dict) or not meta.get("name") or meta.get("version") is None:
        raise _error(f"{display}#Chart.yaml", "a chart's Chart.yaml needs a name and a version")
    name, version = str(meta["name"]), str(meta["version"])
    if not _CHART_NAME.fullmatch(name):
        raise _error(f"{display}#Chart.yaml", f"chart name {name!r} is not a valid chart name")
    app_version = str(meta["appVersion"]) if meta.get("appVersion") is not None else None

    crd_files = []
    for path in sorted(files):
        crds = path.startswith("crds/") and path.endswith((*_YAML, ".json"))
        template = path.startswith("templates/") and path.endswith(_YAML)
        if not (crds or template):
            continue
        text = _text(files[path], f"{display}#{path}")
        if template and not _CRD_TEXT.search(text):
            continue
        crd_files.append(TextSource(f"{display}#{path}", member(source, path), text, templated=template))

    values = _yaml(files["values.yaml"], f"{display}#values.yaml") if "values.yaml" in files else None
    schema = None
    if "values.schema.json" in files:
        shown = f"{display}#values.schema.json"
        try:
            schema = json.loads(_text(files["values.schema.json"], shown))
        except json.JSONDecodeError as exc:
            raise _error(shown, f"invalid JSON: {exc.msg}", exc.lineno) from exc
        if not isinstance(schema, dict):
            raise _error(shown, "a values schema must be a JSON object")
    digests: dict[str, str] = {path: cache.sha256(files[path])
                               for path in ("Chart.yaml", "values.yaml", "values.schema.json") if path in files}
    return Chart(name, version, app_version, source, repository, digest, crd_files, values, schema, digests)
