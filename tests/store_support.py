"""Helpers for the schema-store tests: small CRDs and charts written by the test, chart archives,
and HTTP servers on 127.0.0.1 (Helm repositories, schema URLs) that the tests start themselves.

`shared()` is ../shared beside the checkout, or a skip with the reason: only the tests that read
the upstream CRDs and chart folders use it; everything else runs on a bare clone.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitopsgen import yamlio

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
# The sources of the packaged default store: the same list as STORE_SOURCES in the Makefile.
STORE_CRDS = ("argo-cd-v3.5.1", "external-secrets-v2.9.0", "redis-operator-v0.26.0", "cloudnative-pg-chart-0.29.0",
              "plugin-barman-cloud-v0.13.0")
STORE_CHARTS = ("cloudnative-pg", "external-secrets", "reloader", "external-dns", "redis-operator",
                "plugin-barman-cloud", "cert-manager")


def shared() -> Path:
    """../shared, or skip: the upstream CRDs and chart folders are not in the repository (by design)."""
    if not (SHARED / "crds" / "SOURCES.md").is_file() or not (SHARED / "schemas" / "SOURCES.md").is_file():
        pytest.skip(f"upstream CRDs and reference schemas not found at {SHARED} (CI has them beside the checkout)")
    return SHARED


STORE_UPSTREAM = ("upstream/prometheus-operator-v0.93.0",)
"""Vendored upstream files (upstream/README.md), relative to the repository root."""


def store_sources(base: Path) -> list[str]:
    return [str(base / "crds" / c) for c in STORE_CRDS] + [str(base / "schemas" / "charts" / c) for c in STORE_CHARTS] \
        + list(STORE_UPSTREAM)


def crd(group: str = "example.org", kind: str = "Widget", *, versions: list[dict[str, Any]] | None = None,
        scope: str = "Namespaced", spec_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A CustomResourceDefinition with one schema shared by every version."""
    plural = kind.lower() + "s"
    schema = {
        "type": "object",
        "description": "A widget.",
        "properties": {
            "apiVersion": {"type": "string", "description": "APIVersion defines..."},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": spec_schema or {
                "type": "object",
                "required": ["size"],
                "properties": {
                    "size": {"type": "integer", "minimum": 1, "description": "How big."},
                    "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                    "color": {"type": "string", "enum": ["red", "blue"], "nullable": True},
                    "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                    "description": {"type": "string", "description": "a field named description"},
                },
                "x-kubernetes-validations": [{"rule": "self.size < 100", "message": "size must stay below 100"}],
            },
        },
    }
    versions = versions or [{"name": "v1", "served": True, "storage": True}]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "scope": scope,
            "versions": [{**v, "schema": {"openAPIV3Schema": schema}} for v in versions],
        },
    }


def crd_text(*documents: dict[str, Any]) -> str:
    return "---\n" + "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in documents)


def templated(text: str, guard: str = ".Values.crds.create") -> str:
    """`text` wrapped in Helm template lines, as CloudNativePG's chart ships its CRDs."""
    return f"{{{{- if {guard} }}}}\n{text}{{{{- end }}}}\n"


def chart_files(name: str = "tiny", version: str = "1.2.3", *, crds: dict[str, str] | None = None,
                values: str | None = "# the replica count\nreplicas: 1\nimage:\n  tag: v1  # pinned\n",
                schema: dict[str, Any] | None = None, app_version: str | None = "2.0.0") -> dict[str, str]:
    """The files of a small chart, by path inside the chart folder."""
    meta = {"apiVersion": "v2", "name": name, "version": version, "description": "A tiny chart.", "type": "application"}
    if app_version:
        meta["appVersion"] = app_version
    files = {"Chart.yaml": yaml.safe_dump(meta, sort_keys=False),
             "templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                          "  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n"}
    if values is not None:
        files["values.yaml"] = values
    if schema is not None:
        files["values.schema.json"] = json.dumps(schema, indent=2)
    files.update(crds or {})
    return files


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def make_tgz(files: dict[str, str | bytes], top: str) -> bytes:
    """A chart archive as `helm package` lays it out (`<top>/Chart.yaml`, ...), byte-stable."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel in sorted(files):
            content = files[rel]
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def helm_repo(folder: Path, charts: list[tuple[str, str, bytes]], *, absolute_base: str | None = None,
              digests: dict[str, str] | None = None) -> Path:
    """Write a Helm repository into `folder`: `<chart>-<version>.tgz` files and an index.yaml with
    their real sha256 digests (or `digests[chart-version]` to lie)."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for name, version, data in charts:
        file = f"{name}-{version}.tgz"
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_bytes(data)
        digest = (digests or {}).get(f"{name}-{version}", hashlib.sha256(data).hexdigest())
        url = f"{absolute_base.rstrip('/')}/{file}" if absolute_base else file
        entries.setdefault(name, []).append({"name": name, "version": version, "urls": [url], "digest": digest,
                                             "apiVersion": "v2", "created": "2026-01-01T00:00:00Z"})
    (folder / "index.yaml").write_text(yamlio.dump([{"apiVersion": "v1", "entries": entries,
                                                     "generated": "2026-01-01T00:00:00Z"}]))
    return folder


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve `folder` over HTTP on 127.0.0.1 (a free port): yields (base URL, paths requested)."""
    requests: list[str] = []
    handler = type("Handler", (_Quiet,), {"requests": requests})

    def make(*args: Any) -> http.server.SimpleHTTPRequestHandler:
        return handler(*args, directory=str(folder))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())
