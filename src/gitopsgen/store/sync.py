"""`gitopsgen schemas sync [--offline]`: the repository's store, exactly for the charts the environments pin.

For every `charts.*` pin of every environment (repoURL, chart, version): the repository's
`index.yaml`, the release's archive (sha256 checked against the index's digest), then its CRDs,
values schema and values, as `schemas import` would take them. CRDs that no pinned chart ships
(Argo CD, installed before the platform) come from `[schemas] crd-urls` in gitopsgen.toml.

`schemas/` becomes exactly the result: files an earlier sync or import wrote and this one does not
are removed (only files the old lock lists). Every problem of every pin is reported at once, at
the pin's line in the spec, and nothing is written unless all succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitopsgen.core import cache
from gitopsgen.core.errors import FetchError, GitopsgenError, UsageError
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.store import build, charts, helmrepo
from gitopsgen.store.fetch import Fetcher
from gitopsgen.store.locations import REPOSITORY_STORE
from gitopsgen.store.pins import ChartPin, chart_pins
from gitopsgen.store.sources import Collected, collect

COMMAND = "gitopsgen schemas sync"


@dataclass(frozen=True)
class SyncOptions:
    root: Path
    offline: bool = False
    out: Path | None = None


def pinned_charts(root: Path) -> list[ChartPin]:
    """The distinct chart pins of every environment; one version per chart name."""
    from gitopsgen.spec import list_environments, load

    envs = list_environments(root)
    if not envs:
        raise UsageError(Problem(str(root / "environments"), message="no environment files found", rule="usage"))
    pins: dict[str, ChartPin] = {}
    problems: list[Problem] = []
    for env in envs:
        try:
            loaded = load(root, env)
        except GitopsgenError as exc:
            problems.extend(exc.problems)
            continue
        for pin in chart_pins(loaded):
            first = pins.setdefault(pin.chart, pin)
            if first != pin:
                problems.append(pin.problem(
                    f"chart {pin.chart} is pinned at {pin.version} from {pin.repo_url} here, and at "
                    f"{first.version} from {first.repo_url} ({first.file}:{first.line}); the store holds one "
                    "version of each chart", rule="schemas"))
    if problems:
        raise GitopsgenError(sorted(set(problems)))
    return sorted(pins.values())


def _public(url: str, repo_url: str, mirror: str | None) -> str:
    """The URL as the repository publishes it, when it was fetched from a mirror (the lock says this one)."""
    if mirror and url.startswith(mirror.rstrip("/") + "/"):
        return repo_url.rstrip("/") + url[len(mirror.rstrip("/")):]
    return url


def fetch_chart(pin: ChartPin, fetcher: Fetcher, mirror: str | None = None) -> charts.Chart:
    """The pinned release, read from its digest-checked archive. Errors are located at the pin."""
    if pin.repo_url.startswith("oci://"):
        raise FetchError(pin.problem(
            f"OCI registries ({pin.repo_url}) are not supported yet by `{COMMAND}`",
            hint=f"pull it yourself (helm pull {pin.repo_url}/{pin.chart} --version {pin.version}) "
                 "and run `gitopsgen schemas import <chart>.tgz`"))
    try:
        release = helmrepo.release_for(pin.repo_url, pin.chart, pin.version, fetcher, mirror)
        data = helmrepo.fetch_archive(pin.repo_url, release, fetcher)
    except helmrepo.ReleaseMissing as exc:
        raise FetchError(pin.problem(str(exc), hint=f"pin a published version in the spec ({pin.repo_url})")) from exc
    except FetchError as exc:
        raise FetchError([pin.problem(f"chart {pin.chart} {pin.version}: {p.file}: {p.message}", hint=p.hint)
                          for p in exc.problems]) from exc
    url = _public(release.url, pin.repo_url, mirror)
    chart = charts.read_chart(charts.archive_files(data, url), display=url, source=url, repository=pin.repo_url,
                              digest=cache.sha256(data))
    if chart.name != pin.chart or chart.version.removeprefix("v") != pin.version.removeprefix("v"):
        raise FetchError(pin.problem(f"{url} holds chart {chart.name} {chart.version}, not {pin.chart} {pin.version}"))
    return chart


def sync(options: SyncOptions, fetcher: Fetcher | None = None) -> build.StoreResult:
    from gitopsgen.core import config

    settings = config.load(options.root)
    pins = pinned_charts(options.root)
    fetcher = fetcher or Fetcher(offline=options.offline, online_command=COMMAND)
    collected: list[tuple[str, Collected]] = []
    problems: list[Problem] = []
    skipped: list[Problem] = []
    for pin in pins:
        if pin.repo_url.startswith("oci://"):  # left out, said: the packaged store may hold it
            skipped.append(pin.problem(
                f"not synced: charts from OCI registries ({pin.repo_url}) are not supported yet by `{COMMAND}`; "
                "validation uses the packaged store's schemas for it if it holds this version",
                severity=Severity.WARNING,
                hint=f"to pin it in the repository store: helm pull {pin.repo_url}/{pin.chart} --version "
                     f"{pin.version}, then gitopsgen schemas import <chart>.tgz"))
            continue
        try:
            collected.append((pin.chart, Collected(charts=[fetch_chart(pin, fetcher, settings.mirror(pin.repo_url))])))
        except GitopsgenError as exc:
            problems.extend(exc.problems)
    for url in settings.crd_urls:
        try:
            collected.append((url, collect(url, root=options.root, fetcher=fetcher)))
        except GitopsgenError as exc:
            problems.extend(Problem(p.file, p.line, p.column, p.path, p.message, rule=p.rule,
                                    hint=p.hint or f"listed in {config.FILE_NAME} [schemas] crd-urls")
                            for p in exc.problems)
    if problems:
        raise FetchError(problems)
    content = build.build(collected)
    result = build.write(content, options.out or options.root / REPOSITORY_STORE, exact=True)
    result.warnings.extend(skipped)
    return result
