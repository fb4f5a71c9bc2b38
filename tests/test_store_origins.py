"""`gitopsgen schemas import --origins FILE`: local copies of upstream folders are recorded in the
lock by their upstream URLs (and a chart by its Helm repository), with the digest of every input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitopsgen.cli.app import app
from gitopsgen.core.errors import GitopsgenError
from gitopsgen.store.importing import ImportOptions, import_sources
from store_support import chart_files, crd, crd_text, read_json, write_files

VALUES_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                 "properties": {"replicas": {"type": "integer", "minimum": 1}}}
CRDS_URL = "https://raw.githubusercontent.com/example/widgets/v1.0.0/config/crd/"
CHART_URL = "https://raw.githubusercontent.com/example/charts/tiny-1.2.3/charts/tiny/"
ORIGINS = f'''
["widgets-v1.0.0"]
url = "{CRDS_URL}"

["tiny"]
url = "{CHART_URL}"
repository = "https://charts.example.org"
version = "1.2.4"
app-version = "2.0.1"
'''


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    crds = write_files(tmp_path / "up" / "widgets-v1.0.0", {"widget.yaml": crd_text(crd()),
                                                            "more/gadget.yaml": crd_text(crd(kind="Gadget"))})
    chart = write_files(tmp_path / "up" / "tiny", chart_files(schema=VALUES_SCHEMA, crds={
        "crds/thing.yaml": crd_text(crd(group="things.org", kind="Thing"))}))
    (tmp_path / "origins.toml").write_text(ORIGINS)
    return crds, chart


def test_the_lock_names_upstream_urls_repository_and_input_digests(tmp_path: Path, sources: tuple[Path, Path]) -> None:
    crds, chart = sources
    store = tmp_path / "store"
    import_sources(ImportOptions(tmp_path, (str(crds), str(chart)), store, tmp_path / "origins.toml"))
    lock = read_json(store / "lock.json")
    assert lock["charts"] == [{"name": "tiny", "version": "1.2.4", "appVersion": "2.0.1",
                               "repository": "https://charts.example.org", "digest": None, "source": CHART_URL}]
    files = {f["path"]: f for f in lock["files"]}
    assert {p: (f["source"], f["digest"]) for p, f in files.items()} == {
        "example.org/widget_v1.json": (f"{CRDS_URL}widget.yaml", _sha(crds / "widget.yaml")),
        "example.org/gadget_v1.json": (f"{CRDS_URL}more/gadget.yaml", _sha(crds / "more/gadget.yaml")),
        "things.org/thing_v1.json": (f"{CHART_URL}crds/thing.yaml", _sha(chart / "crds/thing.yaml")),
        "charts/tiny/Chart.yaml": (f"{CHART_URL}Chart.yaml", _sha(chart / "Chart.yaml")),
        "charts/tiny/values.yaml": (f"{CHART_URL}values.yaml", _sha(chart / "values.yaml")),
        "charts/tiny/values.schema.json": (f"{CHART_URL}values.schema.json", _sha(chart / "values.schema.json")),
    }
    assert files["charts/tiny/values.yaml"]["version"] == "1.2.4"
    assert (store / "charts/tiny/Chart.yaml").read_text() == 'name: tiny\nversion: "1.2.4"\nappVersion: "2.0.1"\n'
    assert str(tmp_path) not in (store / "lock.json").read_text() and "up/" not in (store / "lock.json").read_text()


def test_a_source_without_an_origin_is_a_located_error_and_nothing_is_written(
        tmp_path: Path, sources: tuple[Path, Path]) -> None:
    crds, _ = sources
    stray = write_files(tmp_path / "up" / "stray", {"w.yaml": crd_text(crd(group="stray.org"))})
    result = CliRunner().invoke(app, ["schemas", "import", str(crds), str(stray), "--origins",
                                      str(tmp_path / "origins.toml"), "--out", str(tmp_path / "store"),
                                      "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{stray}: error: has no upstream origin in {tmp_path / 'origins.toml'}" in result.stderr
    assert '["stray"]' in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize(("text", "message"), [
    ('["a"]\nrepository = "https://x.org"\n', "needs `url`"),
    ('["a"]\nurl = "ftp://x.org/"\n', "needs `url`"),
    ('["a"]\nurl = "https://x.org/"\nrepo = "https://x.org"\n', "unknown keys ['repo']"),
    ('["a"]\nurl = "https://x.org/"\nrepository = "x.org"\n', "`repository` must be"),
    ('["a"]\nurl = "https://x.org/"\nversion = 1\n', "must be a non-empty string"),
    ('a = "https://x.org/"\n', "must be a table"),
    ('["a"\n', "not a TOML origins file"),
])
def test_a_bad_origins_file_is_an_error_naming_it(tmp_path: Path, sources: tuple[Path, Path], text: str,
                                                  message: str) -> None:
    crds, _ = sources
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(GitopsgenError) as caught:
        import_sources(ImportOptions(tmp_path, (str(crds),), tmp_path / "store", tmp_path / "bad.toml"))
    (problem,) = caught.value.problems
    assert problem.file == str(tmp_path / "bad.toml") and message in problem.message


def test_an_oci_registry_is_a_chart_repository_too(tmp_path: Path, sources: tuple[Path, Path]) -> None:
    _, chart = sources
    (tmp_path / "oci.toml").write_text(f'["tiny"]\nurl = "{CHART_URL}"\nrepository = "oci://ghcr.io/example/charts"\n')
    import_sources(ImportOptions(tmp_path, (str(chart),), tmp_path / "store", tmp_path / "oci.toml"))
    (entry,) = read_json(tmp_path / "store" / "lock.json")["charts"]
    assert entry["repository"] == "oci://ghcr.io/example/charts" and entry["version"] == "1.2.3"


def test_without_an_origins_file_local_sources_keep_their_relative_paths(
        tmp_path: Path, sources: tuple[Path, Path]) -> None:
    crds, _ = sources
    import_sources(ImportOptions(tmp_path, (str(crds),), tmp_path / "store"))
    lock = read_json(tmp_path / "store" / "lock.json")
    assert {f["source"] for f in lock["files"]} == {"up/widgets-v1.0.0/widget.yaml",
                                                    "up/widgets-v1.0.0/more/gadget.yaml"}
