"""What `--kubernetes-version` accepts: `1.N`, `v1.N` (kubectl's spelling, as in `v1.30`), an
optional patch (`1.30.2`, ignored: schemas differ by minor version only) and `master`, the newest
version with bundled core schemas. Anything else is bad input (exit 2) naming the versions there are."""

from __future__ import annotations

import re

from gitopsgen.core.errors import UsageError

_VERSION = re.compile(r"v?(1\.(0|[1-9][0-9]*))(\.[0-9]+)?")


def normalize(requested: str | None) -> str | None:
    """`requested` as `1.N` (None stays None); a `UsageError` for anything that is not a version."""
    if requested is None:
        return None
    from gitopsgen.validate.schemas import supported_kubernetes_versions

    versions = supported_kubernetes_versions()
    text = requested.strip()
    if text == "master":
        return versions[-1]
    if match := _VERSION.fullmatch(text):
        return match.group(1)
    raise UsageError(f"--kubernetes-version {requested!r} is not a Kubernetes version: give 1.N, v1.N or master "
                     f"(core schemas are bundled for {', '.join(versions)})")
