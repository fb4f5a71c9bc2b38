"""`gitopsgen schemas sync` against Helm repositories the tests build and serve on 127.0.0.1:
index + digest-checked archives, the cache, --offline, and the errors a user meets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitopsgen.cli.app import app
from gitopsgen.core import cache
from gitopsgen.core.errors import FetchError
from gitopsgen.store.fetch import Fetcher
from gitopsgen.store.pins import ChartPin
from gitopsgen.store.sync import fetch_chart, pinned_charts
from store_support import (
    REPO_ROOT,
    chart_files,
    crd,
    crd_text,
    helm_repo,
    make_tgz,
    read_json,
    serve,
    shared,
    templated,
    write_files,
)

PIN_FILE = "environments/defaults.yaml"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _pin(repo: str, version: str = "1.2.3", chart: str = "tiny") -> ChartPin:
    return ChartPin(repo, chart, version, PIN_FILE, 17, 5, "charts.tiny.version")


def _tiny(version: str) -> bytes:
    return make_tgz(chart_files(version=version, crds={"templates/crds.yaml": templated(crd_text(crd()))}), "tiny")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A Helm repository at <site>/repo with tiny 1.2.3 and 1.2.2 (digests real)."""
    folder = tmp_path / "site"
    helm_repo(folder / "repo", [("tiny", "1.2.3", _tiny("1.2.3")), ("tiny", "1.2.2", _tiny("1.2.2"))])
    return folder


# --- one chart, through the core --------------------------------------------------------------


def test_a_pinned_release_is_fetched_digest_checked_and_cached(site: Path) -> None:
    with serve(site) as (base, requests):
        repo = f"{base}/repo"
        chart = fetch_chart(_pin(repo), Fetcher())
        assert requests == ["/repo/index.yaml", "/repo/tiny-1.2.3.tgz"]
        again = fetch_chart(_pin(repo), Fetcher())
        assert requests[2:] == ["/repo/index.yaml"]  # the archive is immutable: the cached copy is used
    assert (chart.name, chart.version, chart.repository) == ("tiny", "1.2.3", repo)
    assert chart.digest == cache.sha256((site / "repo" / "tiny-1.2.3.tgz").read_bytes()) == again.digest
    assert [f.source for f in chart.crd_files] == [f"{repo}/tiny-1.2.3.tgz#templates/crds.yaml"]
    assert cache.chart_path(repo, "tiny", "1.2.3").read_bytes() == (site / "repo" / "tiny-1.2.3.tgz").read_bytes()
    assert cache.index_path(repo).read_bytes() == (site / "repo" / "index.yaml").read_bytes()
    assert cache.chart_path(repo, "tiny", "1.2.3").parent.name == cache.sha256(repo.encode())[:16]


def test_absolute_chart_urls_in_the_index_are_followed(tmp_path: Path) -> None:
    with serve(tmp_path) as (base, requests):
        helm_repo(tmp_path / "index-only", [("tiny", "1.2.3", _tiny("1.2.3"))], absolute_base=f"{base}/archives")
        (tmp_path / "archives").mkdir()
        shutil.move(tmp_path / "index-only" / "tiny-1.2.3.tgz", tmp_path / "archives" / "tiny-1.2.3.tgz")
        chart = fetch_chart(_pin(f"{base}/index-only/"), Fetcher())
        assert requests == ["/index-only/index.yaml", "/archives/tiny-1.2.3.tgz"]
    assert chart.version == "1.2.3"


def test_a_version_the_index_does_not_have_names_the_versions_that_exist(site: Path) -> None:
    with serve(site) as (base, _), pytest.raises(FetchError) as caught:
        fetch_chart(_pin(f"{base}/repo", "0.26.1"), Fetcher())
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (PIN_FILE, 17, "charts.tiny.version")
    assert problem.message == "version 0.26.1 of chart tiny is not published; the repository has 1.2.3, 1.2.2"
    assert not cache.chart_path(f"{base}/repo", "tiny", "0.26.1").exists()


def test_a_chart_the_index_does_not_have_is_an_error(site: Path) -> None:
    with serve(site) as (base, _), pytest.raises(FetchError, match="has no chart 'other'; it has: tiny"):
        fetch_chart(_pin(f"{base}/repo", chart="other"), Fetcher())


def test_a_digest_mismatch_is_an_error_and_nothing_is_cached(tmp_path: Path) -> None:
    helm_repo(tmp_path / "repo", [("tiny", "1.2.3", _tiny("1.2.3"))], digests={"tiny-1.2.3": "0" * 64})
    with serve(tmp_path) as (base, _), pytest.raises(FetchError) as caught:
        fetch_chart(_pin(f"{base}/repo"), Fetcher())
    (problem,) = caught.value.problems
    assert problem.file == PIN_FILE and problem.line == 17
    assert "digest mismatch: the index says sha256 " + "0" * 64 in problem.message
    assert f"{base}/repo/tiny-1.2.3.tgz" in problem.message
    assert not cache.chart_path(f"{base}/repo", "tiny", "1.2.3").exists()


def test_a_cached_archive_that_no_longer_matches_the_index_is_downloaded_again(site: Path) -> None:
    with serve(site) as (base, requests):
        repo = f"{base}/repo"
        fetch_chart(_pin(repo), Fetcher())
        cache.chart_path(repo, "tiny", "1.2.3").write_bytes(b"tampered")
        fetch_chart(_pin(repo), Fetcher())
        assert requests.count("/repo/tiny-1.2.3.tgz") == 2
    assert cache.chart_path(repo, "tiny", "1.2.3").read_bytes() == (site / "repo" / "tiny-1.2.3.tgz").read_bytes()


def test_offline_uses_the_cache_only(site: Path) -> None:
    with serve(site) as (base, _):
        repo = f"{base}/repo"
        with pytest.raises(FetchError) as caught:
            fetch_chart(_pin(repo), Fetcher(offline=True, online_command="gitopsgen schemas sync"))
        (problem,) = caught.value.problems
        assert problem.file == PIN_FILE and "--offline forbids the network" in problem.message
        assert problem.hint == "run `gitopsgen schemas sync` with network access first"
        online = fetch_chart(_pin(repo), Fetcher())
    offline = fetch_chart(_pin(repo), Fetcher(offline=True))  # the server is gone
    assert offline == online


def test_oci_repositories_are_not_supported_yet(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"OCI registries \(oci://ghcr.io/org\) are not supported yet"):
        fetch_chart(_pin("oci://ghcr.io/org"), Fetcher())


def test_an_unreachable_repository_is_located_at_the_pin(tmp_path: Path) -> None:
    with serve(tmp_path) as (base, _):
        pass
    with pytest.raises(FetchError) as caught:
        fetch_chart(_pin(f"{base}/repo"), Fetcher(timeout=5))
    (problem,) = caught.value.problems
    assert problem.file == PIN_FILE and f"{base}/repo/index.yaml: cannot download" in problem.message


# --- the command, on the example environments -------------------------------------------------


def _config(root: Path, mirrors: dict[str, str], crd_urls: list[str]) -> None:
    lines = ["[schemas]", "crd-urls = [" + ", ".join(f'"{u}"' for u in crd_urls) + "]", "", "[schemas.mirrors]"]
    lines += [f'"{repo}" = "{url}"' for repo, url in sorted(mirrors.items())]
    (root / "gitopsgen.toml").write_text("\n".join(lines) + "\n")


def _serve_pins(project: Path, site: Path, base: str, charts: dict[str, dict[str, str | bytes]]) -> dict[str, str]:
    """A Helm repository per repoURL the project pins, under <site>/<n>/; returns the mirrors."""
    mirrors: dict[str, str] = {}
    repos: dict[str, list[tuple[str, str, bytes]]] = {}
    for pin in pinned_charts(project):
        if pin.repo_url.startswith("oci://"):  # not synced (a warning): no Helm repository to serve
            continue
        files = charts.get(pin.chart) or chart_files(pin.chart, pin.version, values=None)
        repos.setdefault(pin.repo_url, []).append((pin.chart, pin.version, make_tgz(files, pin.chart)))
    for number, (repo, items) in enumerate(sorted(repos.items())):
        helm_repo(site / str(number), items)
        mirrors[repo] = f"{base}/{number}"
    return mirrors


def test_sync_builds_the_repository_store_from_the_pinned_charts_then_works_offline(project: Path,
                                                                                    tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, {"extra/gadget.yaml": crd_text(crd(kind="Gadget"))})
    pg = chart_files("cloudnative-pg", "0.29.0", crds={"templates/crds/crds.yaml": templated(crd_text(crd()))},
                     schema={"type": "object", "properties": {"crds": {"type": "object"}}})
    with serve(site) as (base, _):
        _config(project, _serve_pins(project, site, base, {"cloudnative-pg": pg}), [f"{base}/extra/gadget.yaml"])
        code, out, err = cli("schemas", "sync", "--root", str(project))
        assert code == 0, err
    oci = [p for p in pinned_charts(project) if p.repo_url.startswith("oci://")]
    assert oci and all(f"{p.file}:{p.line}:{p.column}: warning: {p.path}: not synced: charts from OCI registries" in err
                       for p in oci)
    store = project / "schemas"
    lock = read_json(store / "lock.json")
    pins = {p.chart: p for p in pinned_charts(project) if not p.repo_url.startswith("oci://")}
    assert {c["name"]: (c["version"], c["repository"]) for c in lock["charts"]} == {
        name: (p.version, p.repo_url) for name, p in pins.items()}
    pg_entry = next(c for c in lock["charts"] if c["name"] == "cloudnative-pg")
    assert pg_entry["source"] == pins["cloudnative-pg"].repo_url.rstrip("/") + "/cloudnative-pg-0.29.0.tgz"
    assert "127.0.0.1" not in "".join(str(c) for c in lock["charts"])  # the lock names the public repository
    assert (store / "example.org" / "widget_v1.json").is_file() and (store / "example.org" / "gadget_v1.json").is_file()
    assert f"schemas: 2 CRD schemas, {len(pins)} charts" in out
    before = {p: p.read_bytes() for p in store.rglob("*") if p.is_file()}

    code, out, err = cli("schemas", "sync", "--offline", "--root", str(project))  # the server is gone
    assert code == 0, err
    assert {p: p.read_bytes() for p in store.rglob("*") if p.is_file()} == before
    assert out.strip().endswith("up to date")

    shutil.rmtree(cache.root())
    code, _, err = cli("schemas", "sync", "--offline", "--root", str(project))
    assert code == 2
    assert f"{PIN_FILE}:" in err and "run `gitopsgen schemas sync` with network access first" in err

    # the render reads schemas/ first, and warns when a pin moves away from what it holds
    defaults = project / PIN_FILE
    defaults.write_text(defaults.read_text().replace("version: 2.2.16", "version: 2.2.17"))
    result = CliRunner().invoke(app, ["render", "dev", "--root", str(project)])
    line = next(i for i, text in enumerate(defaults.read_text().splitlines(), 1) if "2.2.17" in text)
    assert f"{PIN_FILE}:{line}:" in result.stderr
    assert "warning: charts.reloader.version: chart reloader is pinned at 2.2.17, but the schema store (schemas) " \
           "holds 2.2.16" in result.stderr
    assert "gitopsgen schemas sync" in result.stderr


def test_sync_reports_a_missing_version_at_the_spec_line_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with serve(site) as (base, _):
        _config(project, _serve_pins(project, site, base, {}), [])
        defaults = project / PIN_FILE
        defaults.write_text(defaults.read_text().replace("version: 0.26.1", "version: 0.26.9"))
        code, _, err = cli("schemas", "sync", "--root", str(project))
    line = next(i for i, text in enumerate(defaults.read_text().splitlines(), 1) if "0.26.9" in text)
    assert code == 2
    assert f"{PIN_FILE}:{line}:" in err
    assert "version 0.26.9 of chart redis-operator is not published; the repository has" in err
    assert not (project / "schemas").exists()


# --- from the upstream CRDs and charts (../shared) --------------------------------------------


def _upstream_charts(base: Path) -> dict[str, dict[str, str | bytes]]:
    def folder(path: Path, prefix: str = "") -> dict[str, str | bytes]:
        return {prefix + p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}

    charts = base / "schemas" / "charts"
    crds = base / "crds"
    return {
        "cloudnative-pg": {**folder(charts / "cloudnative-pg"),
                           **folder(crds / "cloudnative-pg-chart-0.29.0", "templates/crds/")},
        "external-secrets": {**folder(charts / "external-secrets"),
                             **folder(crds / "external-secrets-v2.9.0", "crds/")},
        "redis-operator": {**folder(charts / "redis-operator"), **folder(crds / "redis-operator-v0.26.0", "crds/")},
        "reloader": folder(charts / "reloader"),
        "external-dns": folder(charts / "external-dns"),
    }


def test_sync_from_upstream_charts_gives_the_packaged_schemas_and_validates_the_render(project: Path,
                                                                                      tmp_path: Path) -> None:
    base = shared()
    site = tmp_path / "site"
    argo = sorted((base / "crds" / "argo-cd-v3.5.1").glob("*.yaml"))
    write_files(site, {f"argo/{p.name}": p.read_bytes() for p in argo})
    with serve(site) as (url, _):
        mirrors = _serve_pins(project, site, url, _upstream_charts(base))
        _config(project, mirrors, [f"{url}/argo/{p.name}" for p in argo])
        code, _, err = cli("schemas", "sync", "--root", str(project))
        assert code == 0, err
    store = project / "schemas"
    packaged = REPO_ROOT / "src" / "gitopsgen" / "store" / "default"
    synced = sorted(p.relative_to(store).as_posix() for p in store.rglob("*.json") if p.name != "lock.json")
    assert len(synced) > 25
    for rel in synced:  # the route (chart template, crds/ folder, URL) does not change a byte
        assert (store / rel).read_bytes() == (packaged / rel).read_bytes(), rel
    result = CliRunner().invoke(app, ["render", "--all", "--strict", "--root", str(project)])
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_a_server_that_never_answers_is_a_timeout_error() -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection (backlog), never answers
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/index.yaml"
        with pytest.raises(FetchError) as caught:
            Fetcher(timeout=0.2).download(url)
    (problem,) = caught.value.problems
    assert problem.file == url and problem.message == "cannot download: timed out"


def test_an_archive_holding_another_release_than_the_index_says_is_an_error(tmp_path: Path) -> None:
    helm_repo(tmp_path / "repo", [("tiny", "1.2.3", _tiny("1.2.2"))])  # a mislabelled archive
    with serve(tmp_path) as (base, _), pytest.raises(FetchError, match=r"holds chart tiny 1\.2\.2, not tiny 1\.2\.3"):
        fetch_chart(_pin(f"{base}/repo"), Fetcher())
