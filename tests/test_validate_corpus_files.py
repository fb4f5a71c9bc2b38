"""`validate --path` over the small corpus in tests/corpus/: for each class of input (valid,
invalid, missing kind or apiVersion or name, multi-document, List, removed API versions, unknown
kinds, data files, YAML 1.1 booleans, templates), the verdict and the line of every error.

In-process (`validation.validate`), with the packaged schema store and Kubernetes 1.33."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.core.errors import UsageError
from gitopsgen.core.problems import Severity
from gitopsgen.run import validate as validation
from kit import cli

CORPUS = Path(__file__).parent / "corpus"

# file -> (exit code, [(line, rule)] of the errors)
EXPECTED: dict[str, tuple[int, list[tuple[int | None, str]]]] = {
    "valid_deployment.yaml": (0, []),
    "generate_name.yaml": (0, []),
    "list_valid.yaml": (0, []),
    "unknown_group.yaml": (0, []),
    "values_file.yaml": (0, []),
    "invalid_type.yaml": (1, [(8, "schema")]),
    "missing_kind.yaml": (1, [(1, "document")]),
    "missing_kind_value.yaml": (1, [(2, "document")]),
    "missing_apiversion.yaml": (1, [(1, "document")]),
    "missing_name.yaml": (1, [(3, "document")]),
    "multi_one_invalid.yaml": (1, [(13, "schema")]),
    "list_invalid.yaml": (1, [(14, "schema")]),
    "removed_daemonset.yaml": (1, [(1, "schema")]),
    "removed_pdb.yaml": (1, [(1, "schema")]),
    "unknown_kind_known_group.yaml": (1, [(1, "schema")]),
    "unknown_version_known_group.yaml": (1, [(1, "schema")]),
    "bool_name.yaml": (1, [(4, "schema"), (6, "schema")]),  # both reported: the document is validated
    "flow_url.yaml": (1, [(11, "schema")]),
    "template.yaml": (1, [(6, "yaml")]),
    "cr_quantity.yaml": (1, [(11, "schema")]),  # a custom resource's int-or-string quantity
    # port 70000; replicas -1, selector vs labels, container API, "500 m"; PDB both; CIDR /33; ConfigMap key
    "api_semantics.yaml": (1, [(9, "api-validation"), (16, "api-validation"), (21, "api-validation"),
                               (24, "api-validation"), (27, "api-validation"), (33, "api-validation"),
                               (47, "api-validation"), (54, "api-validation")]),
}


def run(*names: str, strict: bool = False, version: str | None = "1.33") -> validation.ValidateResult:
    return validation.validate(validation.ValidateOptions(
        root=CORPUS, paths=tuple(CORPUS / n for n in names), strict=strict, kubernetes_version=version))


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_and_lines(name: str) -> None:
    exit_code, errors = EXPECTED[name]
    result = run(name)
    found = sorted((p.line, p.rule) for p in result.problems if p.severity is Severity.ERROR)
    assert (result.exit_code, found) == (exit_code, sorted(errors)), [p.format() for p in result.problems]


def test_missing_kind_is_not_counted_as_validated() -> None:
    result = run("missing_kind.yaml", "valid_deployment.yaml", "values_file.yaml")
    assert result.documents == 1
    assert result.skipped == {"data file": 1, "not an object: no apiVersion, kind or metadata.name": 1}


def test_a_data_file_is_a_note() -> None:
    (note,) = run("values_file.yaml").problems
    assert note.severity is Severity.INFO and "not a Kubernetes object" in note.message


def test_list_items_are_validated_one_by_one() -> None:
    result = run("list_invalid.yaml")
    assert result.documents == 2
    (error,) = result.problems
    assert error.path == "spec.replicas" and "Deployment two" in error.message


def test_removed_api_names_replacement_and_release() -> None:
    (error,) = run("removed_daemonset.yaml").problems
    assert "apps/v1" in error.message and "Kubernetes 1.16" in error.message
    (error,) = run("removed_pdb.yaml").problems
    assert "policy/v1" in error.message and "Kubernetes 1.25" in error.message


def test_unknown_kind_in_a_known_group_lists_the_store() -> None:
    (error,) = run("unknown_kind_known_group.yaml").problems
    assert "Cluster, " in error.message and error.hint == "did you mean Cluster?"
    (error,) = run("unknown_version_known_group.yaml").problems
    assert "external-secrets.io/v1" in error.message


def test_strict_keeps_its_meaning_for_unknown_groups() -> None:
    (note,) = run("unknown_group.yaml").problems
    assert note.severity is Severity.INFO
    (error,) = run("unknown_group.yaml", strict=True).problems
    assert error.severity is Severity.ERROR and "no schema for Widget" in error.message


def test_a_template_gets_a_hint() -> None:
    (error,) = run("template.yaml").problems
    assert error.hint is not None and "template" in error.hint


def test_an_empty_folder_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no YAML documents found"):
        validation.validate(validation.ValidateOptions(root=tmp_path, paths=(tmp_path,)))


@pytest.mark.parametrize(("given", "used"), [("1.30", "1.30"), ("v1.30", "1.30"), ("1.30.4", "1.30")])
def test_kubernetes_version_spellings(given: str, used: str) -> None:
    from gitopsgen.validate.kubeversion import normalize

    assert normalize(given) == used


def test_kubernetes_version_master_is_the_newest() -> None:
    from gitopsgen.validate.kubeversion import normalize
    from gitopsgen.validate.schemas import supported_kubernetes_versions

    assert normalize("master") == supported_kubernetes_versions()[-1]


@pytest.mark.parametrize("given", ["foo", "2.1", "1.x"])
def test_kubernetes_version_refuses_anything_else(given: str) -> None:
    with pytest.raises(UsageError, match=r"1\.33"):
        run("valid_deployment.yaml", version=given)


@pytest.mark.parametrize(("args", "exit_code"), [
    (("--path", "flow_url.yaml"), 1),
    (("--path", "valid_deployment.yaml", "--kubernetes-version", "master"), 0),
    (("--path", "valid_deployment.yaml", "--kubernetes-version", "v1.30"), 0),
    (("--path", "valid_deployment.yaml", "--kubernetes-version", "foo"), 2),
])
def test_former_crash_inputs_keep_json_intact(args: tuple[str, ...], exit_code: int) -> None:
    import json

    result = cli("validate", *args, "--format", "json", cwd=CORPUS)
    assert result.returncode == exit_code, result.stderr
    if exit_code != 2:
        assert json.loads(result.stdout)["summary"]["documents"] == 1
    else:
        assert "1.N, v1.N or master" in result.stderr and "Traceback" not in result.stderr


def test_a_name_yaml_reads_as_a_boolean_is_refused_with_a_quoting_hint() -> None:
    name, data = sorted(run("bool_name.yaml").problems)
    assert name.path == "metadata.name" and name.message.startswith("n is read as a boolean (false)")
    assert name.hint is not None and 'quote it: "n"' in name.hint
    assert "(ConfigMap n)" in name.message
    assert data.path == "data.a"  # the rest of the document is still validated


def test_files_after_path_are_more_paths() -> None:
    """`--path rendered/prd/*.yaml`: the shell gives the other files as arguments."""
    result = cli("validate", "--path", "valid_deployment.yaml", "multi_one_invalid.yaml", "list_valid.yaml",
                 cwd=CORPUS)
    assert result.returncode == 1, result.stderr
    assert "validated 6 documents" in result.stdout and "multi_one_invalid.yaml:13" in result.stdout


def test_an_environment_name_after_path_is_still_refused() -> None:
    result = cli("validate", "--path", "valid_deployment.yaml", "no-such-env", cwd=CORPUS)
    assert result.returncode == 2 and "give environments or --path, not both" in result.stderr


def test_dash_reads_standard_input() -> None:
    import subprocess

    from kit import GITOPSGEN

    text = (CORPUS / "list_invalid.yaml").read_text()
    result = subprocess.run([str(GITOPSGEN), "validate", "--path", "-"], input=text, capture_output=True, text=True,
                            cwd=CORPUS, check=False, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "<stdin>:14: error: spec.replicas" in result.stdout


def test_folders_include_json(tmp_path: Path) -> None:
    import json

    (tmp_path / "cm.json").write_text(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": {"name": "c"}, "data": {"a": 1}}))
    result = validation.validate(validation.ValidateOptions(root=tmp_path, paths=(tmp_path,)))
    assert result.documents == 1 and [p.path for p in result.problems] == ["data.a"]


def test_github_format_shows_unchecked_documents_as_notices() -> None:
    result = cli("validate", "--path", "values_file.yaml", "unknown_group.yaml", "--format", "github", cwd=CORPUS)
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stdout.splitlines() if line.startswith("::notice")]
    assert len(notices) == 2 and any("no schema for Widget" in n for n in notices)


def test_zero_documents_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# nothing\n---\n")
    result = cli("validate", "--path", tmp_path)
    assert result.returncode == 2 and "no YAML documents found" in result.stderr


def test_json_summary_says_what_was_skipped_and_why() -> None:
    import json

    result = cli("validate", "--path", "values_file.yaml", "missing_kind.yaml", "--format", "json", cwd=CORPUS)
    summary = json.loads(result.stdout)["summary"]
    assert summary["documents"] == 0
    assert summary["skipped"] == {"data file": 1, "not an object: no apiVersion, kind or metadata.name": 1}


def test_a_custom_resource_quantity_says_it_is_not_a_quantity() -> None:
    (error,) = run("cr_quantity.yaml").problems
    assert error.message.startswith("'500 m' is not a quantity: quantities must match the regular expression")
    assert error.hint is not None and "no space" in error.hint
