"""Render validates custom resources and Helm values by default, through the schema store's order:
the repository's schemas/, --schema-location (or gitopsgen.toml), the store packaged with gitopsgen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitopsgen.cli.app import app
from gitopsgen.core import cache
from gitopsgen.run.render import render_trees
from gitopsgen.store.importing import ImportOptions, import_sources
from gitopsgen.store.locations import open_store
from kit import EXAMPLES
from store_support import crd, crd_text, serve, write_files

WIDGET = ("apiVersion: example.org/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: {{ spec.namespace }}\n"
          "spec:\n  size: {{ widget_size | default(2) }}\n")


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _with_widget(project: Path, size: str = "2") -> Path:
    write_files(project / "templates" / "manifests" / "extra", {"widget.yaml.j2": WIDGET.replace(
        "{{ widget_size | default(2) }}", size)})
    return project


def _widget_store(folder: Path, root: Path, spec_schema: dict[str, object] | None = None) -> Path:
    (root / "widget-crd.yaml").write_text(crd_text(crd(spec_schema=spec_schema)))
    import_sources(ImportOptions(root, (str(root / "widget-crd.yaml"),), folder))
    return folder


def test_a_template_typo_in_a_cnpg_field_fails_render_with_the_rendered_line(project: Path) -> None:
    template = project / "templates" / "manifests" / "data" / "postgres.yaml.j2"
    template.write_text(template.read_text().replace("enablePodAntiAffinity:", "enablePodAntiAfinity:"))
    result = subprocess.run([sys.executable, "-m", "gitopsgen", "render", "prd", "--root", str(project)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    tree = render_trees(project, ["prd"])[0].tree
    text = tree.files["manifests/data/postgres.yaml"].text
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "enablePodAntiAfinity:" in row)
    template_line = next(i for i, row in enumerate(template.read_text().splitlines(), 1)
                         if "enablePodAntiAfinity:" in row)
    assert (f"templates/manifests/data/postgres.yaml.j2:{template_line}: error: spec.affinity.enablePodAntiAfinity: "
            "Additional properties are not allowed ('enablePodAntiAfinity' was unexpected)") in result.stderr
    assert f"rendered as rendered/prd/manifests/data/postgres.yaml:{line} (not written)" in result.stderr
    assert "[schema]" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "rendered" / "prd").exists()


def test_the_example_environments_validate_clean_against_the_packaged_store_strictly(repo_root: Path) -> None:
    code, out, err = cli("render", *EXAMPLES, "--check", "--strict", "--root", str(repo_root))
    assert code == 0, err
    assert "rendered/dev: in sync" in out and "rendered/prd: in sync" in out
    assert err == ""


def test_verbose_lists_what_had_no_schema_and_strict_makes_it_an_error(project: Path) -> None:
    _with_widget(project)
    code, _, err = cli("render", "prd", "--root", str(project))
    assert code == 0 and "Widget" not in err
    code, _, err = cli("render", "prd", "-v", "--root", str(project))
    assert code == 0
    assert "rendered/prd/manifests/extra/widget.yaml:2: info: no schema for Widget example.org/v1" in err
    assert "values for chart redis-operator not checked: it has no values.schema.json" in err
    code, _, err = cli("render", "prd", "--strict", "--root", str(project))
    assert code == 1
    assert "rendered/prd/manifests/extra/widget.yaml:2: error: no schema for Widget example.org/v1" in err


def test_the_repository_store_comes_first_then_schema_locations_then_the_packaged_store(project: Path,
                                                                                        tmp_path: Path) -> None:
    _with_widget(project, "0")  # the CRD says size >= 1
    located = _widget_store(tmp_path / "located", tmp_path)
    code, _, err = cli("render", "prd", "--schema-location", str(located), "--root", str(project))
    assert code == 1 and "spec.size: 0 is less than the minimum of 1 (Widget example-prd/w)" in err
    # the repository's own schemas/ wins over the flag: there, anything goes for a Widget
    anything = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    _widget_store(project / "schemas", tmp_path, spec_schema=anything)
    code, _, err = cli("render", "prd", "--schema-location", str(located), "--root", str(project))
    assert code == 0, err
    store = open_store(project, [str(located)])
    found = store.lookup("example.org", "v1", "Widget")
    assert found is not None and found.origin == "schemas/example.org/widget_v1.json"
    cluster = store.lookup("postgresql.cnpg.io", "v1", "Cluster")
    assert cluster is not None and cluster.origin == "gitopsgen default store/postgresql.cnpg.io/cluster_v1.json"
    chart = store.chart("cloudnative-pg")
    assert chart is not None and chart.version == "0.29.0" and chart.values_schema is not None


def test_a_schema_location_that_does_not_exist_is_bad_input(project: Path, tmp_path: Path) -> None:
    code, _, err = cli("render", "prd", "--schema-location", str(tmp_path / "nope"), "--root", str(project))
    assert code == 2
    assert f"{tmp_path / 'nope'}: error: schema location does not exist (not a folder) [schemas]" in err
    assert not (project / "rendered").exists()
    template = f"{tmp_path / 'nope'}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json"
    code, _, err = cli("render", "prd", "--schema-location", template, "--root", str(project))
    assert code == 2 and "schema location does not exist" in err
    code, _, err = cli("render", "prd", "--chart-schema-location", str(tmp_path / "nope"), "--root", str(project))
    assert code == 2


def test_path_and_url_templates_in_kubeconform_style(project: Path, tmp_path: Path) -> None:
    _with_widget(project, "0")
    site = _widget_store(tmp_path / "site", tmp_path)
    template = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    code, _, err = cli("render", "prd", "--schema-location", f"{site}/{template}", "--root", str(project))
    assert code == 1 and "less than the minimum of 1" in err
    with serve(site) as (base, requests):
        code, _, err = cli("render", "prd", "--schema-location", f"{base}/{template}", "--root", str(project))
        assert code == 1 and "less than the minimum of 1" in err
        assert "/example.org/widget_v1.json" in requests
        assert "/postgresql.cnpg.io/cluster_v1.json" in requests  # a 404: "not here", the packaged store has it
    assert cache.url_path(f"{base}/example.org/widget_v1.json").is_file()
    assert not cache.url_path(f"{base}/postgresql.cnpg.io/cluster_v1.json").exists()  # only "not there" is
    assert cache.url_path(f"{base}/postgresql.cnpg.io/cluster_v1.json").with_suffix(".json.404").is_file()
    code, _, err = cli("render", "prd", "--schema-location", f"{base}/{template}", "--root", str(project))
    assert code == 1 and "less than the minimum of 1" in err  # downloaded once: the server is gone


def test_a_url_location_without_a_template_is_bad_input(project: Path) -> None:
    code, _, err = cli("render", "prd", "--schema-location", "https://example.org/schemas", "--root", str(project))
    assert code == 2 and "a schema location URL must be a template" in err


# --- gitopsgen.toml ----------------------------------------------------------------------------


def test_the_configuration_file_is_used_and_flags_override_it(project: Path, tmp_path: Path) -> None:
    _with_widget(project, "0")
    _widget_store(project / "crds", tmp_path)
    (project / "gitopsgen.toml").write_text('[validate]\nschema-locations = ["crds"]\nstrict = true\n'
                                            'kubernetes-version = "1.99"\n')
    code, _, err = cli("render", "prd", "--root", str(project))
    assert code == 1 and "spec.size: 0 is less than the minimum of 1" in err  # relative to the root
    assert "warning: no schemas for Kubernetes 1.99" in err

    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli("render", "prd", "--schema-location", str(empty), "--kubernetes-version", "1.33",
                       "--root", str(project))
    assert code == 1 and "error: no schema for Widget example.org/v1" in err  # strict from the file
    assert "1.99" not in err
    code, _, err = cli("render", "prd", "--schema-location", str(empty), "--no-strict", "--root", str(project))
    assert code == 0, err


@pytest.mark.parametrize("text, line, message", [
    ('[validate]\nstrict = true\nstrikt = false\n', 3, "validate.strikt: unknown key 'strikt' in [validate]"),
    ('[validate]\nstrict = "yes"\n', 2, "validate.strict: must be true or false"),
    ('[schemas]\ncrd-urls = "https://x"\n', 2, "schemas.crd-urls: must be a list of non-empty strings"),
    ('[valdate]\nstrict = true\n', 1, "valdate: unknown key or table 'valdate'"),
    ('[validate]\nkubernetes-version = 1.33\n', 2, "validate.kubernetes-version: must be a Kubernetes minor"),
    ('[validate]\nstrict = \n', 2, "not valid TOML: Invalid value"),
])
def test_a_bad_configuration_file_is_bad_input_at_its_line(project: Path, text: str, line: int,
                                                         message: str) -> None:
    (project / "gitopsgen.toml").write_text(text)
    code, _, err = cli("render", "prd", "--root", str(project))
    assert code == 2
    assert f"gitopsgen.toml:{line}:" in err and message in err, err


def test_the_repository_documents_its_defaults(repo_root: Path) -> None:
    from gitopsgen.core import config

    settings = config.load(repo_root)
    assert settings.file == repo_root / "gitopsgen.toml"
    assert (settings.schema_locations, settings.kubernetes_version, settings.strict, settings.crd_urls) == (
        (), None, None, ())
    text = (repo_root / "gitopsgen.toml").read_text()
    for key in ("schema-locations", "kubernetes-version", "strict", "crd-urls", "mirrors"):
        assert f"# {key} = " in text, key


def test_validate_reads_the_same_configuration_and_store(project: Path, tmp_path: Path) -> None:
    _with_widget(project, "0")
    _widget_store(project / "crds", tmp_path)
    (project / "gitopsgen.toml").write_text('[validate]\nschema-locations = ["crds"]\n')
    code, out, err = cli("validate", "prd", "--root", str(project))
    assert code == 1 and "spec.size: 0 is less than the minimum of 1" in out + err
    (project / "gitopsgen.toml").write_text('[validate]\nstrict = true\n')
    code, out, err = cli("validate", "prd", "--root", str(project))
    assert code == 1 and "no schema for Widget example.org/v1" in out + err
    code, _, err = cli("validate", "prd", "--schema-location", str(tmp_path / "nope"), "--root", str(project))
    assert code == 2 and "schema location does not exist" in err
