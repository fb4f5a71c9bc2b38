"""Chart archives for the chart-aware diff: the download cache, and `diff --fetch-charts`.

Offline (the default), the archive of chart `version` from `repoURL` is read from
`cache.chart_path(repoURL, chart, version)`, where `gitopsgen schemas sync` (the pins of the
working tree) and `gitopsgen diff --fetch-charts` (both sides of a diff) store them after checking
their sha256 against the repository index's digest. It is checked again before use (the cache's
rule): a gzip archive, and, when the repository's index is cached too, its sha256 must be one of
the digests that index publishes (a byte search, so a multi-megabyte index costs microseconds,
not a YAML parse); the caller then checks that the archive holds that chart at that version. A
file that fails counts as absent.

With `--fetch-charts`, a missing archive is downloaded exactly as `schemas sync` does it
(`store.helmrepo`): the repository's `index.yaml` (through the `[schemas] mirrors` entry of
gitopsgen.toml, if any), then the release's archive, stored only when its digest matches.
"""

from __future__ import annotations

from gitopsgen.core import cache
from gitopsgen.core.errors import FetchError
from gitopsgen.store import helmrepo
from gitopsgen.store.fetch import Fetcher

GZIP_MAGIC = b"\x1f\x8b"


class ChartUnavailable(Exception):
    """The archive cannot be had (the message says why: OCI, not published, download failed)."""


def cached(repo_url: str, chart: str, version: str) -> bytes | None:
    """The cached archive, checked; None when it is not there or fails the check."""
    index = cache.load(cache.index_path(repo_url), lambda data: None)

    def check(data: bytes) -> None:
        if not data.startswith(GZIP_MAGIC):
            raise ValueError("not a gzip archive")
        if index is not None:
            digest = cache.sha256(data).encode()
            if digest not in index and digest.upper() not in index:
                raise ValueError("the cached index publishes no archive with this digest")

    return cache.load(cache.chart_path(repo_url, chart, version), check)


def fetch(repo_url: str, chart: str, version: str, fetcher: Fetcher, mirror: str | None = None) -> bytes:
    """Download the pinned release into the cache (digest-checked) and return it."""
    if repo_url.startswith("oci://"):
        raise ChartUnavailable(f"charts from OCI registries ({repo_url}) cannot be fetched yet")
    try:
        release = helmrepo.release_for(repo_url, chart, version, fetcher, mirror)
        return helmrepo.fetch_archive(repo_url, release, fetcher)
    except helmrepo.ReleaseMissing as exc:
        raise ChartUnavailable(str(exc)) from exc
    except FetchError as exc:
        raise ChartUnavailable("; ".join(f"{p.file}: {p.message}" for p in exc.problems)) from exc
