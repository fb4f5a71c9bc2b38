"""eso-store-conditions: a ClusterSecretStore serves only the namespaces that need it."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import eso_store_conditions
from kit import assert_findings, line_with, mutate

STORE = "manifests/secret-store/cluster-secret-store.yaml"
TOKEN = "manifests/secrets/cloudflare-api-token.yaml"


def test_the_real_stores_admit_exactly_their_external_secrets(rendered: dict[str, RenderedTree]) -> None:
    for env in ("dev", "prd"):
        assert_findings(eso_store_conditions, rendered[env], [])
    conditions = rendered["prd"].files[STORE].documents[0].data["spec"]["conditions"]
    assert conditions == [{"namespaces": ["cloudflared", "example-prd", "external-dns"]}]


def test_a_store_without_conditions_serves_every_namespace(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], STORE, lambda d: d[0]["spec"].pop("conditions"))
    found = assert_findings(eso_store_conditions, tree, [(STORE, line_with(tree, STORE, "spec:"))])
    assert "any namespace" in found[0].message


def test_an_empty_condition_restricts_nothing(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], STORE, lambda d: d[0]["spec"]["conditions"].append({"namespaces": []}))
    assert_findings(eso_store_conditions, tree, [(STORE, line_with(tree, STORE, "- namespaces: []"))])


def test_an_external_secret_outside_the_conditions_is_flagged_at_its_namespace(
        rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], STORE, lambda d: d[0]["spec"]["conditions"][0]["namespaces"].remove("external-dns"))
    found = assert_findings(eso_store_conditions, tree, [(TOKEN, line_with(tree, TOKEN, "namespace: external-dns"))])
    assert "ClusterSecretStore 'doppler'" in found[0].message


def test_regexes_and_selectors_on_rendered_namespace_labels_admit_too(rendered: dict[str, RenderedTree]) -> None:
    def by_selector(docs: list[Any]) -> None:
        docs[0]["spec"]["conditions"] = [
            {"namespaceRegexes": ["^example-"]},
            {"namespaceSelector": {"matchExpressions": [
                {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["cloudflared"]}]}},
            {"namespaceSelector": {"matchLabels": {"pod-security.kubernetes.io/enforce": "baseline"}}},
        ]

    assert_findings(eso_store_conditions, mutate(rendered["prd"], STORE, by_selector), [])
