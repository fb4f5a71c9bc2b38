"""Helm repositories over HTTP: `index.yaml`, a pinned release in it, and its digest-checked archive.

The index is downloaded on every online sync (new releases appear there) and cached for
`--offline`; a chart archive is immutable once published, so a cached archive whose sha256
matches the index's `digest` is used without downloading it again. Chart URLs in the index may be
relative to the index (Helm's rule) or absolute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from gitopsgen.core import cache
from gitopsgen.store.fetch import Fetcher
from gitopsgen.tree import yamlio

_SEMVER = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")


class ReleaseMissing(LookupError):
    """The pinned chart or version is not in the repository's index (the message names what is)."""


@dataclass(frozen=True)
class Release:
    chart: str
    version: str
    url: str
    """Absolute download URL of the archive."""
    digest: str | None
    """sha256 (hex) from the index; None when the index has none."""


def index_url(repo_url: str) -> str:
    return repo_url.rstrip("/") + "/index.yaml"


def parse_index(data: bytes) -> dict[str, Any]:
    """The `entries` of a Helm repository index; raises ValueError when it is not one."""
    documents = yamlio.load_all(data.decode("utf-8"))
    index = documents[0] if documents else None
    if not isinstance(index, dict) or not isinstance(index.get("entries"), dict):
        raise ValueError("not a Helm repository index (no `entries` mapping)")
    entries: dict[str, Any] = index["entries"]
    return entries


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    """Sort key, oldest first; pre-releases before their release; non-semver strings first."""
    match = _SEMVER.fullmatch(version)
    if not match:
        return (-1, -1, -1, 0, version)
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def _same_version(written: str, pinned: str) -> bool:
    return written == pinned or written.removeprefix("v") == pinned.removeprefix("v")


def find_release(entries: dict[str, Any], chart: str, version: str, base_url: str) -> Release:
    releases = entries.get(chart)
    if not isinstance(releases, list) or not releases:
        names = sorted(str(n) for n in entries)
        shown = ", ".join(names[:20]) + (f" (and {len(names) - 20} more)" if len(names) > 20 else "")
        raise ReleaseMissing(f"the repository has no chart {chart!r}; it has: {shown or 'none'}")
    candidates = [r for r in releases if isinstance(r, dict)]
    for release in candidates:
        if _same_version(str(release.get("version")), version):
            urls = release.get("urls")
            if not isinstance(urls, list) or not urls or not isinstance(urls[0], str):
                raise ReleaseMissing(f"chart {chart} {version} has no download URL in the index")
            digest = release.get("digest")
            return Release(chart, version, urljoin(base_url, urls[0]),
                           str(digest).removeprefix("sha256:").lower() if digest else None)
    versions = sorted({str(r.get("version")) for r in candidates}, key=semver_key, reverse=True)
    shown = ", ".join(versions[:12]) + (f" (and {len(versions) - 12} older)" if len(versions) > 12 else "")
    raise ReleaseMissing(f"version {version} of chart {chart} is not published; the repository has {shown}")


def fetch_index(repo_url: str, fetcher: Fetcher, mirror: str | None = None) -> dict[str, Any]:
    """The repository's index entries: downloaded when online (and cached), from the cache offline."""
    parsed: list[dict[str, Any]] = []

    def check(data: bytes) -> None:
        parsed.append(parse_index(data))

    fetcher.cached_at(index_url(mirror or repo_url), cache.index_path(repo_url), check, refresh=True)
    return parsed[-1]


def fetch_archive(repo_url: str, release: Release, fetcher: Fetcher) -> bytes:
    """The release's archive: the cached copy if its digest matches, else downloaded and checked."""

    def check(data: bytes) -> None:
        actual = cache.sha256(data)
        if release.digest is not None and actual != release.digest:
            raise ValueError(f"digest mismatch: the index says sha256 {release.digest}, the archive has {actual}")
        if not data.startswith(b"\x1f\x8b"):
            raise ValueError("not a gzip archive")

    return fetcher.cached_at(release.url, cache.chart_path(repo_url, release.chart, release.version), check)


def release_for(repo_url: str, chart: str, version: str, fetcher: Fetcher, mirror: str | None = None) -> Release:
    entries = fetch_index(repo_url, fetcher, mirror)
    return find_release(entries, chart, version, index_url(mirror or repo_url))
