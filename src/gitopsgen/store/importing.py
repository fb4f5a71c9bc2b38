"""`gitopsgen schemas import SOURCE... [--out DIR]`: build or extend a schema store from local or remote sources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitopsgen.store import build, origins
from gitopsgen.store.fetch import Fetcher
from gitopsgen.store.locations import REPOSITORY_STORE
from gitopsgen.store.sources import collect


@dataclass(frozen=True)
class ImportOptions:
    root: Path
    """The repository root: lock sources are relative to it; the default store is `<root>/schemas`."""
    sources: tuple[str, ...]
    out: Path | None = None
    origins: Path | None = None
    """An origins file (store/origins.py): the lock then names local sources by their upstream URLs."""


def import_sources(options: ImportOptions, fetcher: Fetcher | None = None) -> build.StoreResult:
    """Read every source, convert, then write the store (nothing is written if any source fails)."""
    from gitopsgen.core.errors import UsageError

    if not options.sources:
        raise UsageError("name at least one SOURCE: a CRD file, a folder, a chart folder or .tgz, or a URL")
    fetcher = fetcher or Fetcher(online_command="gitopsgen schemas import")
    known = origins.load(options.origins) if options.origins else None
    shown = str(options.origins)
    collected = [(source, collect(source, root=options.root, fetcher=fetcher,
                                  origin=origins.for_source(source, known, shown)))
                 for source in options.sources]
    content = build.build(collected)
    return build.write(content, options.out or options.root / REPOSITORY_STORE, exact=False)
