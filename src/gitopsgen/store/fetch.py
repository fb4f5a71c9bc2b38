"""HTTP downloads (urllib, stdlib) with a timeout, and the cache in front of them.

Every failure (DNS, refused connection, HTTP status, timeout) is a `FetchError` naming the URL;
the CLI prints it and exits 2. With `offline`, nothing goes to the network: a cache miss is an
error naming the command to run with network access.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gitopsgen.core import cache
from gitopsgen.core.errors import FetchError, GitopsgenError
from gitopsgen.core.problems import Problem

RULE = "fetch"
TIMEOUT = 30.0


class NotFound(FetchError):
    """HTTP 404 (or 410): for a schema location, "not here"."""


@dataclass
class Fetcher:
    offline: bool = False
    timeout: float = TIMEOUT
    online_command: str = "gitopsgen schemas sync"
    """What to run with network access when an offline cache lookup misses."""

    def download(self, url: str) -> bytes:
        """The body of `url`. Raises FetchError (NotFound for 404/410)."""
        if self.offline:
            raise FetchError(Problem(url, message="not in the download cache, and --offline forbids the network",
                                     rule=RULE, hint=f"run `{self.online_command}` with network access first"))
        from gitopsgen import __version__

        request = urllib.request.Request(url, headers={"User-Agent": f"gitopsgen/{__version__}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            cls = NotFound if exc.code in (404, 410) else FetchError
            raise cls(Problem(url, message=f"HTTP {exc.code} {exc.reason}", rule=RULE)) from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            text = "timed out" if isinstance(reason, TimeoutError | socket.timeout) else str(reason)
            raise FetchError(Problem(url, message=f"cannot download: {text}", rule=RULE,
                                     hint="check the URL and the network (proxy settings: HTTPS_PROXY)")) from exc
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            text = "timed out" if isinstance(exc, TimeoutError) else str(exc)
            raise FetchError(Problem(url, message=f"cannot download: {text}", rule=RULE)) from exc

    def cached(self, url: str, check: cache.Check, *, refresh: bool = False) -> bytes:
        """`url` from the cache when it is there and passes `check`; else downloaded, checked and
        stored. `refresh` downloads even when cached (the cached copy is the offline fallback)."""
        path = cache.url_path(url)
        return self.cached_at(url, path, check, refresh=refresh)

    def cached_at(self, url: str, path: Path, check: cache.Check, *, refresh: bool = False) -> bytes:
        if not refresh or self.offline:
            data = cache.load(path, check)
            if data is not None:
                return data
        data = self.download(url)
        store_checked(url, path, data, check)
        return data


def store_checked(url: str, path: Path, data: bytes, check: Callable[[bytes], None]) -> None:
    """Store a download in the cache after `check`; a failing check is a FetchError naming the URL."""
    try:
        cache.store(path, data, check)
    except GitopsgenError:
        raise
    except Exception as exc:
        raise FetchError(Problem(url, message=f"downloaded content is not usable: {exc}", rule=RULE)) from exc
