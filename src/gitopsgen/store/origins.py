"""Upstream origins for local import sources: `gitopsgen schemas import --origins FILE`.

A local copy of an upstream folder (CRD files, or a chart folder) says nothing in the lock about
where it came from: its path is only meaningful on the machine that built the store. An origins
file (TOML) names, for each SOURCE by its file or folder name, the upstream it is a copy of:

    ["argo-cd-v3.5.1"]                  # a folder of CRD files
    url = "https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/"

    ["cloudnative-pg"]                  # a chart folder
    url = "https://raw.githubusercontent.com/cloudnative-pg/charts/cloudnative-pg-v0.29.0/charts/cloudnative-pg/"
    repository = "https://cloudnative-pg.github.io/charts"

`url` is the upstream folder at its tag (ending in "/"; a file below the SOURCE is `url` plus its
path relative to the SOURCE), or the file's own URL when the SOURCE is one file. `repository` (a
chart folder only) is the Helm repository that publishes the chart (an `oci://` registry for a
chart published only there). `version` and `app-version`
replace the chart's Chart.yaml values where upstream sets them at release time (cert-manager's
Chart.yaml says v0.0.0 in Git). With `--origins`, every local SOURCE must have an entry, so a new
source cannot reach the lock with a local path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from gitopsgen.core.config import is_url
from gitopsgen.core.errors import SchemaStoreError
from gitopsgen.core.problems import Problem

RULE = "schemas"
_KEYS = frozenset({"url", "repository", "version", "app-version"})


@dataclass(frozen=True)
class Origin:
    url: str
    repository: str | None = None
    version: str | None = None
    app_version: str | None = None

    def name(self, relative: str) -> str:
        """The upstream URL of the file at posix path `relative` below the SOURCE ("." for the SOURCE)."""
        if relative in ("", "."):
            return self.url
        return f"{self.url}{relative}" if self.url.endswith("/") else f"{self.url}/{relative}"


def _error(shown: str, message: str, hint: str | None = None) -> SchemaStoreError:
    return SchemaStoreError(Problem(shown, message=message, rule=RULE, hint=hint))


def _origin(shown: str, key: str, raw: object) -> Origin:
    if not isinstance(raw, dict):
        raise _error(shown, f"[{key!r}] must be a table with `url`")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _error(shown, f"[{key!r}] has unknown keys {unknown}", hint=f"known keys: {sorted(_KEYS)}")
    values = {k: raw[k] for k in _KEYS if k in raw}
    if any(not isinstance(v, str) or not v for v in values.values()):
        raise _error(shown, f"[{key!r}]: every value must be a non-empty string")
    if not is_url(values.get("url", "")):
        raise _error(shown, f"[{key!r}] needs `url`, an http(s) URL of the upstream file or folder")
    if "repository" in values and not (is_url(values["repository"]) or values["repository"].startswith("oci://")):
        raise _error(shown, f"[{key!r}]: `repository` must be a Helm repository URL (http(s):// or oci://)")
    return Origin(values["url"], values.get("repository"), values.get("version"), values.get("app-version"))


def load(path: Path, shown: str | None = None) -> dict[str, Origin]:
    """The origins file at `path`, by SOURCE name; errors name it as `shown`."""
    shown = shown or str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _error(shown, f"cannot be read: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _error(shown, f"not a TOML origins file: {exc}") from exc
    return {key: _origin(shown, key, raw) for key, raw in sorted(data.items())}


def for_source(source: str, origins: dict[str, Origin] | None, shown: str) -> Origin | None:
    """The origin of one SOURCE argument: None for a URL (its own origin) or without an origins file."""
    if origins is None or is_url(source):
        return None
    name = Path(source).name
    if name not in origins:
        raise _error(source, f"has no upstream origin in {shown}",
                     hint=f'add a ["{name}"] table with its upstream `url` (and `repository` for a chart)')
    return origins[name]
