"""no-secret-values: nothing in rendered/ may carry a secret value."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import no_secret_values
from kit import assert_findings, find_env, line_with, mutate, with_file

API = "manifests/example-api/deployment.yaml"


def _api(docs: list[Any]) -> dict[str, Any]:
    return docs[0]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def test_a_secret_with_literal_data_is_refused(rendered: dict[str, RenderedTree]) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "example-prd"},
              "stringData": {"password": "hunter2"}}
    tree = with_file(rendered["prd"], "manifests/data/secret.yaml", [secret])
    assert_findings(no_secret_values, tree, [("manifests/data/secret.yaml",
                                              line_with(tree, "manifests/data/secret.yaml", "stringData:"))])


def test_a_secret_named_env_var_with_a_literal_value_is_refused(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api(d)["env"].append({"name": "DB_PASSWORD", "value": "x"}))
    found = assert_findings(no_secret_values, tree, [(API, line_with(tree, API, 'value: x'))])
    assert "DB_PASSWORD" in found[0].message


def test_a_token_shaped_string_anywhere_is_refused(rendered: dict[str, RenderedTree]) -> None:
    token = "ghp_" + "a1B2" * 9
    tree = mutate(rendered["prd"], API, lambda d: find_env(_api(d), "APP_CACHE_TTL").update(value=token))
    found = assert_findings(no_secret_values, tree, [(API, line_with(tree, API, token))])
    assert "GitHub token" in found[0].message
    assert token not in found[0].message
