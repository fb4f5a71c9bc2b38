"""The download cache: Helm repository indexes, chart archives and schema URLs, on disk.

Root: `$GITOPSGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/gitopsgen`, else `~/.cache/gitopsgen`.
Layout (other commands read it, e.g. a chart-aware diff reads the charts):

    charts/<sha256(repoURL)[:16]>/<chart>-<version>.tgz    chart archives, digest-checked
    indexes/<sha256(repoURL)[:16]>.yaml                     the repository's index.yaml
    urls/<sha256(url)><suffix>                              anything downloaded by URL

`repoURL` is hashed exactly as the spec writes it (a trailing slash makes another key).

Layers are validated before they are stored and again before they are used (check-jsonschema's
rule): every write goes through `store()`, which runs the caller's check first and then writes
atomically (temporary file in the same folder, then `os.replace`), so a reader never sees a
half-written or unchecked file; `load()` runs the same check and treats a failing file as absent.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from gitopsgen.core.atomic import atomic_write

Check = Callable[[bytes], None]
"""Raises (any exception) when the bytes are not what the cache may hold."""

_URL_SUFFIXES = (".json", ".yaml", ".yml", ".tgz")


def root() -> Path:
    explicit = os.environ.get("GITOPSGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "gitopsgen"
    return Path.home() / ".cache" / "gitopsgen"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chart_path(repo_url: str, chart: str, version: str) -> Path:
    """Where the archive of `chart` `version` from the Helm repository `repo_url` is cached."""
    return root() / "charts" / _key(repo_url)[:16] / f"{chart}-{version}.tgz"


def index_path(repo_url: str) -> Path:
    return root() / "indexes" / f"{_key(repo_url)[:16]}.yaml"


def url_path(url: str) -> Path:
    """The cache file of a downloaded URL; keeps the URL's extension so the file says what it is."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return root() / "urls" / f"{_key(url)}{suffix if suffix in _URL_SUFFIXES else ''}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(path: Path, data: bytes, check: Check) -> None:
    """Check `data`, then write it atomically. A failing check raises and writes nothing."""
    check(data)
    atomic_write(path, data)


def load(path: Path, check: Check) -> bytes | None:
    """The cached bytes if the file exists and passes `check`, else None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        check(data)
    except Exception:
        return None
    return data
