"""The store's lock file, `lock.json`: what every file is, where it came from, and its digest.

    {
      "charts": [{"name": "cloudnative-pg", "version": "0.29.0", "appVersion": "1.30.0",
                  "repository": "https://cloudnative-pg.github.io/charts" | null,
                  "digest": "<sha256 of the .tgz>" | null, "source": "<URL or path>"}],
      "files": [{"path": "postgresql.cnpg.io/cluster_v1.json", "sha256": "...",
                 "source": "<URL or path>[#<file in the chart>]", "chart": "cloudnative-pg" | null,
                 "version": "0.29.0" | null, "digest": "<sha256 of the input file>" | null}],
      "lockVersion": 1
    }

`version` is the version of the chart a file came from (null for a loose CRD file or URL, whose
source names it). A file's `digest` is the sha256 of the input it was made from (the CRD file, or
the chart's Chart.yaml, values.yaml or values.schema.json as read), so it can be checked against
the upstream file its `source` names; `sha256` is the digest of the store file itself. A chart's
`digest` is that of its archive (null for a chart folder). Sorted keys, lists sorted by path and
name, no timestamps, no absolute paths: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem
from gitopsgen.store.convert import dumps

FILE_NAME = "lock.json"
LOCK_VERSION = 1


@dataclass(frozen=True, order=True)
class FileEntry:
    path: str
    sha256: str
    source: str
    chart: str | None = None
    version: str | None = None
    digest: str | None = None
    """sha256 of the input file (see the module docstring); None in locks written before it was recorded."""


@dataclass(frozen=True, order=True)
class ChartEntry:
    name: str
    version: str
    source: str
    app_version: str | None = None
    repository: str | None = None
    digest: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "appVersion": self.app_version,
                "repository": self.repository, "digest": self.digest, "source": self.source}


@dataclass
class Lock:
    files: dict[str, FileEntry] = field(default_factory=dict)
    charts: dict[str, ChartEntry] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return dumps({
            "lockVersion": LOCK_VERSION,
            "charts": [self.charts[k].as_json() for k in sorted(self.charts)],
            "files": [asdict(self.files[k]) for k in sorted(self.files)],
        })


def parse(data: bytes, shown: str) -> Lock:
    """A lock from its bytes; raises SchemaStoreError naming `shown` when it is not one."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("lockVersion") != LOCK_VERSION:
            raise ValueError(f"lockVersion is not {LOCK_VERSION}")
        files = {f["path"]: FileEntry(f["path"], f["sha256"], f["source"], f.get("chart"), f.get("version"),
                                      f.get("digest"))
                 for f in raw.get("files", [])}
        charts = {c["name"]: ChartEntry(c["name"], c["version"], c["source"], c.get("appVersion"),
                                        c.get("repository"), c.get("digest"))
                  for c in raw.get("charts", [])}
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaStoreError(Problem(shown, message=f"not a gitopsgen lock file: {exc}", rule="schemas",
                                       hint="regenerate it with `gitopsgen schemas import` or `schemas sync`")) from exc
    return Lock(files, charts)


def read(folder: Path) -> Lock | None:
    path = folder / FILE_NAME
    if not path.is_file():
        return None
    return parse(path.read_bytes(), str(path))
