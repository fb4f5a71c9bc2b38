"""`gitopsgen schemas import`: CRD files (templated or not), folders, chart folders and archives, URLs;
the store it writes (layout, lock, determinism) and the errors it reports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from gitopsgen.cli.app import app
from gitopsgen.core import cache
from gitopsgen.core.errors import GitopsgenError
from gitopsgen.store.importing import ImportOptions, import_sources
from store_support import (
    chart_files,
    crd,
    crd_text,
    make_tgz,
    read_json,
    serve,
    shared,
    templated,
    write_files,
)

VALUES_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                 "description": "Values of the tiny chart.",
                 "properties": {"replicas": {"type": "integer", "description": "How many.", "minimum": 1}}}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import(root: Path, *sources: str | Path, out: Path | None = None) -> Path:
    result = import_sources(ImportOptions(root, tuple(str(s) for s in sources), out))
    return result.out


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- CRD files --------------------------------------------------------------------------------


def test_a_templated_crd_file_imports_every_crd_in_it(tmp_path: Path) -> None:
    source = tmp_path / "crds.yaml"
    source.write_text(templated(crd_text(crd(), crd(kind="Gadget", scope="Cluster"))))
    code, out, err = cli("schemas", "import", str(source), "--root", str(tmp_path))
    assert code == 0, err
    store = tmp_path / "schemas"
    assert sorted(p.relative_to(store).as_posix() for p in store.rglob("*.json")) == [
        "example.org/gadget_v1.json", "example.org/widget_v1.json", "lock.json"]
    assert read_json(store / "example.org/gadget_v1.json")["x-gitopsgen-crd"]["scope"] == "Cluster"
    assert "schemas: 2 CRD schemas, 0 charts; 3 files changed" in out


def test_a_template_action_inside_a_crd_schema_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    text = templated(crd_text(crd()))
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if "minimum: 1" in line)
    lines[target] = lines[target].replace("minimum: 1", "minimum: {{ .Values.minimum }}")
    source = tmp_path / "crds.yaml"
    source.write_text("\n".join(lines) + "\n")
    code, _, err = cli("schemas", "import", str(source), "--root", str(tmp_path))
    assert code == 2
    assert f"{source}:{target + 1}: error: template action inside spec.versions of a CustomResourceDefinition" in err
    assert "Traceback" not in err
    assert not (tmp_path / "schemas").exists()


def test_template_actions_in_metadata_and_conversion_are_accepted(tmp_path: Path) -> None:
    body = crd_text(crd())
    body = body.replace("metadata:\n  name: widgets.example.org\n",
                        "metadata:\n  name: widgets.example.org\n  labels:\n"
                        "    {{- include \"tiny.labels\" . | nindent 4 }}\n"
                        "    app: {{ .Release.Name }}\n")
    body = body.replace("spec:\n  group:", "spec:\n  {{- if .Values.conversion }}\n  conversion:\n"
                        "    strategy: Webhook\n    webhook:\n      clientConfig:\n        service:\n"
                        "          name: {{ include \"tiny.fullname\" . }}-webhook\n  {{- end }}\n  group:")
    source = tmp_path / "templates" / "crd.yaml"
    source.parent.mkdir()
    source.write_text(templated(body))
    _import(tmp_path, source)
    assert (tmp_path / "schemas" / "example.org" / "widget_v1.json").is_file()


def test_invalid_yaml_in_a_crd_document_is_reported_at_its_line(tmp_path: Path) -> None:
    text = crd_text(crd(kind="Gadget"), crd())
    lines = text.splitlines()
    broken = [i for i, line in enumerate(lines) if "minimum: 1" in line][1]
    lines[broken] = lines[broken].replace("minimum: 1", "minimum: [1")
    source = tmp_path / "two.yaml"
    source.write_text("\n".join(lines) + "\n")
    with pytest.raises(GitopsgenError) as caught:
        _import(tmp_path, source)
    (problem,) = caught.value.problems
    assert problem.file == str(source)
    assert problem.line is not None and broken + 1 <= problem.line <= broken + 3
    assert "invalid YAML" in problem.message


def test_other_kinds_are_ignored_and_a_source_without_crds_is_an_error(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" + crd_text(crd()))
    _import(tmp_path, mixed)
    empty = tmp_path / "empty.yaml"
    empty.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    code, _, err = cli("schemas", "import", str(empty), "--root", str(tmp_path))
    assert code == 2
    assert f"{empty}: error: holds no CustomResourceDefinition and no Helm chart [schemas]" in err


def test_a_missing_source_is_an_error(tmp_path: Path) -> None:
    code, _, err = cli("schemas", "import", str(tmp_path / "nope.yaml"), "--root", str(tmp_path))
    assert code == 2 and "no such file or folder" in err


def test_a_crd_list_and_a_json_crd_are_read(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [crd()]}))
    (tmp_path / "gadget.json").write_text(json.dumps(crd(kind="Gadget")))
    _import(tmp_path, tmp_path / "list.yaml", tmp_path / "gadget.json")
    assert (tmp_path / "schemas/example.org/widget_v1.json").is_file()
    assert (tmp_path / "schemas/example.org/gadget_v1.json").is_file()


def test_two_sources_disagreeing_on_one_schema_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(crd_text(crd()))
    (tmp_path / "b.yaml").write_text(crd_text(crd(spec_schema={"type": "object"})))
    with pytest.raises(GitopsgenError, match=r"gives another example\.org/widget_v1\.json"):
        _import(tmp_path, tmp_path / "a.yaml", tmp_path / "b.yaml")
    assert not (tmp_path / "schemas").exists()


def test_the_cloudnative_pg_chart_crd_file_imports_as_upstream_ships_it(tmp_path: Path) -> None:
    source = shared() / "crds" / "cloudnative-pg-chart-0.29.0" / "crds.yaml"
    out = _import(tmp_path, source, out=tmp_path / "store")
    names = sorted(p.name for p in (out / "postgresql.cnpg.io").iterdir())
    assert len(names) == 11 and "cluster_v1.json" in names and "pooler_v1.json" in names
    cluster = read_json(out / "postgresql.cnpg.io" / "cluster_v1.json")
    jsonschema.Draft7Validator.check_schema(cluster)
    assert cluster["x-gitopsgen-crd"]["servedVersions"] == ["v1"]
    lock = read_json(out / "lock.json")
    assert {f["source"] for f in lock["files"]} == {_rel(source, tmp_path)}


def _rel(path: Path, root: Path) -> str:
    import os

    return Path(os.path.relpath(path, root)).as_posix()


# --- charts -----------------------------------------------------------------------------------


def _tiny_chart_files() -> dict[str, str]:
    return chart_files(schema=VALUES_SCHEMA, crds={
        "crds/widget.yaml": crd_text(crd()),
        "templates/crds/gadget.yaml": templated(crd_text(crd(kind="Gadget"))),
        "charts/sub/crds/ignored.yaml": crd_text(crd(kind="Ignored")),
    })


def _check_tiny_chart(store: Path) -> None:
    assert (store / "example.org/widget_v1.json").is_file()
    assert (store / "example.org/gadget_v1.json").is_file()
    assert not (store / "example.org/ignored_v1.json").exists()  # subcharts are not read
    assert (store / "charts/tiny/Chart.yaml").read_text() == 'name: tiny\nversion: "1.2.3"\nappVersion: "2.0.0"\n'
    assert (store / "charts/tiny/values.yaml").read_text() == "replicas: 1\nimage:\n  tag: v1\n"
    assert read_json(store / "charts/tiny/values.schema.json") == {
        "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
        "properties": {"replicas": {"type": "integer", "minimum": 1}}}


def test_a_chart_folder_gives_its_crds_values_schema_and_values(tmp_path: Path) -> None:
    chart = write_files(tmp_path / "tiny", _tiny_chart_files())
    _import(tmp_path, chart)
    _check_tiny_chart(tmp_path / "schemas")
    lock = read_json(tmp_path / "schemas/lock.json")
    assert lock["charts"] == [{"name": "tiny", "version": "1.2.3", "appVersion": "2.0.0", "repository": None,
                               "digest": None, "source": "tiny"}]
    widget = next(f for f in lock["files"] if f["path"] == "example.org/widget_v1.json")
    assert widget["source"] == "tiny#crds/widget.yaml" and widget["chart"] == "tiny" and widget["version"] == "1.2.3"


def test_a_chart_archive_the_test_builds_imports_like_its_folder(tmp_path: Path) -> None:
    data = make_tgz(_tiny_chart_files(), "tiny")
    archive = tmp_path / "tiny-1.2.3.tgz"
    archive.write_bytes(data)
    _import(tmp_path, archive)
    _check_tiny_chart(tmp_path / "schemas")
    (chart,) = read_json(tmp_path / "schemas/lock.json")["charts"]
    assert chart["digest"] == hashlib.sha256(data).hexdigest()
    assert chart["source"] == "tiny-1.2.3.tgz"


def test_a_folder_is_read_recursively_charts_included(tmp_path: Path) -> None:
    write_files(tmp_path / "src", {"a/widget.yaml": crd_text(crd()), "b/README.md": "not yaml",
                                   **{f"charts/tiny/{k}": v for k, v in chart_files().items()}})
    _import(tmp_path, tmp_path / "src")
    store = tmp_path / "schemas"
    assert (store / "example.org/widget_v1.json").is_file()
    assert (store / "charts/tiny/Chart.yaml").is_file()


def test_a_broken_archive_and_a_chart_without_a_version_are_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.tgz").write_bytes(b"not gzip")
    with pytest.raises(GitopsgenError, match="not a readable chart archive"):
        _import(tmp_path, tmp_path / "bad.tgz")
    write_files(tmp_path / "nover", {"Chart.yaml": "name: nover\n"})
    with pytest.raises(GitopsgenError, match="needs a name and a version"):
        _import(tmp_path, tmp_path / "nover")


# --- URLs -------------------------------------------------------------------------------------


def test_urls_are_downloaded_through_the_cache_and_a_tgz_url_is_a_chart(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"crds/widget.yaml": crd_text(crd())})
    (site / "tiny-1.2.3.tgz").write_bytes(make_tgz(_tiny_chart_files(), "tiny"))
    root = tmp_path / "repo"
    root.mkdir()
    with serve(site) as (base, requests):
        code, _, err = cli("schemas", "import", f"{base}/crds/widget.yaml", f"{base}/tiny-1.2.3.tgz",
                           "--root", str(root))
        assert code == 0, err
        assert requests == ["/crds/widget.yaml", "/tiny-1.2.3.tgz"]
        missing = cli("schemas", "import", f"{base}/crds/nope.yaml", "--root", str(root))
    _check_tiny_chart(root / "schemas")
    lock = read_json(root / "schemas/lock.json")
    assert {f["source"] for f in lock["files"] if f["path"] == "example.org/widget_v1.json"} == {
        f"{base}/crds/widget.yaml"}  # the same bytes from the chart too: the first source named is recorded
    assert cache.url_path(f"{base}/crds/widget.yaml").is_file()
    assert cache.url_path(f"{base}/tiny-1.2.3.tgz").read_bytes() == (site / "tiny-1.2.3.tgz").read_bytes()
    code, _, err = missing
    assert code == 2
    assert f"{base}/crds/nope.yaml: error: HTTP 404" in err and "[fetch]" in err


def test_an_unreachable_url_is_a_located_error(tmp_path: Path) -> None:
    with serve(tmp_path) as (base, _):
        pass  # the port is closed again
    code, _, err = cli("schemas", "import", f"{base}/widget.yaml", "--root", str(tmp_path))
    assert code == 2
    assert f"{base}/widget.yaml: error: cannot download:" in err
    assert "Traceback" not in err


# --- the store on disk ------------------------------------------------------------------------


def test_importing_twice_gives_identical_bytes_and_changes_nothing(tmp_path: Path) -> None:
    write_files(tmp_path / "in", {"crds.yaml": templated(crd_text(crd(), crd(kind="Gadget"))),
                                  **{f"tiny/{k}": v for k, v in _tiny_chart_files().items()}})
    sources = (str(tmp_path / "in" / "crds.yaml"), str(tmp_path / "in" / "tiny"))
    first = import_sources(ImportOptions(tmp_path, sources, tmp_path / "one"))
    again = import_sources(ImportOptions(tmp_path, sources, tmp_path / "one"))
    other = import_sources(ImportOptions(tmp_path, sources, tmp_path / "two"))
    assert first.changes and again.changes == []
    assert _files(tmp_path / "one") == _files(tmp_path / "two") and other.changes
    for data in _files(tmp_path / "one").values():
        assert data.endswith(b"\n") and not data.endswith(b"\n\n") and b"\r" not in data


def test_the_lock_records_every_file_with_source_version_and_sha256(tmp_path: Path) -> None:
    write_files(tmp_path, {"crds/widget.yaml": crd_text(crd()),
                           **{f"charts/tiny/{k}": v for k, v in chart_files(schema=VALUES_SCHEMA).items()}})
    _import(tmp_path, tmp_path / "crds" / "widget.yaml", tmp_path / "charts" / "tiny")
    store = tmp_path / "schemas"
    lock = read_json(store / "lock.json")
    assert list(lock) == ["charts", "files", "lockVersion"] and lock["lockVersion"] == 1
    digest = {path: hashlib.sha256((store / path).read_bytes()).hexdigest()
              for path in ("charts/tiny/Chart.yaml", "charts/tiny/values.schema.json", "charts/tiny/values.yaml",
                           "example.org/widget_v1.json")}
    inputs = {path: hashlib.sha256((tmp_path / path).read_bytes()).hexdigest()
              for path in ("charts/tiny/Chart.yaml", "charts/tiny/values.schema.json", "charts/tiny/values.yaml",
                           "crds/widget.yaml")}
    assert lock["files"] == [
        {"chart": "tiny", "path": "charts/tiny/Chart.yaml", "sha256": digest["charts/tiny/Chart.yaml"],
         "source": "charts/tiny", "version": "1.2.3", "digest": inputs["charts/tiny/Chart.yaml"]},
        {"chart": "tiny", "path": "charts/tiny/values.schema.json",
         "sha256": digest["charts/tiny/values.schema.json"], "source": "charts/tiny#values.schema.json",
         "version": "1.2.3", "digest": inputs["charts/tiny/values.schema.json"]},
        {"chart": "tiny", "path": "charts/tiny/values.yaml", "sha256": digest["charts/tiny/values.yaml"],
         "source": "charts/tiny#values.yaml", "version": "1.2.3", "digest": inputs["charts/tiny/values.yaml"]},
        {"chart": None, "path": "example.org/widget_v1.json", "sha256": digest["example.org/widget_v1.json"],
         "source": "crds/widget.yaml", "version": None, "digest": inputs["crds/widget.yaml"]},
    ]
    assert digest["charts/tiny/values.yaml"] != inputs["charts/tiny/values.yaml"]  # comments dropped: two digests
    assert str(tmp_path) not in (store / "lock.json").read_text()


def test_a_new_import_of_a_chart_replaces_what_its_earlier_version_brought(tmp_path: Path) -> None:
    write_files(tmp_path, {"loose.yaml": crd_text(crd(group="loose.org")),
                           **{f"v1/{k}": v for k, v in chart_files(version="1.0.0", crds={
                               "crds/old.yaml": crd_text(crd(kind="Old")),
                               "crds/kept.yaml": crd_text(crd(kind="Kept"))}).items()},
                           **{f"v2/{k}": v for k, v in chart_files(version="2.0.0", crds={
                               "crds/kept.yaml": crd_text(crd(kind="Kept"))}).items()}})
    _import(tmp_path, tmp_path / "loose.yaml", tmp_path / "v1")
    store = tmp_path / "schemas"
    assert (store / "example.org/old_v1.json").is_file()
    result = import_sources(ImportOptions(tmp_path, (str(tmp_path / "v2"),)))
    assert not (store / "example.org/old_v1.json").exists()
    assert (store / "example.org/kept_v1.json").is_file() and (store / "loose.org/widget_v1.json").is_file()
    assert (store / "charts/tiny/Chart.yaml").read_text().splitlines()[1] == 'version: "2.0.0"'
    assert [c.change.value for c in result.changes if c.path == "example.org/old_v1.json"] == ["removed"]
    lock = read_json(store / "lock.json")
    assert [c["version"] for c in lock["charts"]] == ["2.0.0"]
    assert sorted(f["path"] for f in lock["files"]) == [
        "charts/tiny/Chart.yaml", "charts/tiny/values.yaml", "example.org/kept_v1.json", "loose.org/widget_v1.json"]


def test_files_beside_a_store_that_its_lock_does_not_list_are_never_touched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_files(out, {"README.md": "mine\n", "example.org/notes.txt": "mine too\n"})
    (tmp_path / "w.yaml").write_text(crd_text(crd()))
    _import(tmp_path, tmp_path / "w.yaml", out=out)
    (tmp_path / "w.yaml").write_text(crd_text(crd(kind="Gadget")))
    _import(tmp_path, tmp_path / "w.yaml", out=out)
    assert (out / "README.md").read_text() == "mine\n" and (out / "example.org/notes.txt").is_file()
    assert not (out / "example.org/widget_v1.json").exists() and (out / "example.org/gadget_v1.json").is_file()


def test_names_that_would_escape_the_store_are_refused(tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text(crd_text(crd(group="../../etc")))
    with pytest.raises(GitopsgenError, match="is not a valid name"):
        _import(tmp_path, tmp_path / "evil.yaml")
    write_files(tmp_path / "chart", {"Chart.yaml": "name: ../up\nversion: 1.0.0\n"})
    with pytest.raises(GitopsgenError, match="is not a valid chart name"):
        _import(tmp_path, tmp_path / "chart")
    assert not (tmp_path / "schemas").exists()


def test_a_lock_never_makes_the_store_delete_outside_itself(tmp_path: Path) -> None:
    victim = write_files(tmp_path, {"victim.txt": "keep\n"}) / "victim.txt"
    (tmp_path / "w.yaml").write_text(crd_text(crd()))
    store = _import(tmp_path, tmp_path / "w.yaml")
    lock = read_json(store / "lock.json")
    lock["files"].append({"path": "../victim.txt", "sha256": "0", "source": "w.yaml", "chart": None, "version": None})
    (store / "lock.json").write_text(json.dumps(lock))
    _import(tmp_path, tmp_path / "w.yaml")
    assert victim.read_text() == "keep\n"


def test_a_store_that_cannot_be_written_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(crd_text(crd()))
    (tmp_path / "file").write_text("not a folder")
    code, _, err = cli("schemas", "import", str(tmp_path / "w.yaml"), "--out", str(tmp_path / "file" / "store"),
                       "--root", str(tmp_path))
    assert code == 2 and "cannot write the store" in err and "Traceback" not in err


def test_a_template_line_with_a_trailing_comment_is_still_a_template_line(tmp_path: Path) -> None:
    text = "{{- if .Values.crds.create }} # install CRDs\n" + crd_text(crd()) + "{{- end }}  # crds\n"
    (tmp_path / "crds.yaml").write_text(text)
    _import(tmp_path, tmp_path / "crds.yaml")
    assert (tmp_path / "schemas/example.org/widget_v1.json").is_file()
