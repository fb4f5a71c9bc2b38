"""eso-doppler-token: the Doppler ClusterSecretStore names its token Secret fully (DOMAIN X2)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import eso_doppler_token
from kit import assert_findings, findings, line_with, mutate

STORE = "manifests/secret-store/cluster-secret-store.yaml"


def _token(docs: list[Any]) -> dict[str, Any]:
    return docs[0]["spec"]["provider"]["doppler"]["auth"]["secretRef"]["dopplerToken"]  # type: ignore[no-any-return]


def test_doppler_token_rule_requires_the_token_namespace(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], STORE, lambda d: _token(d).pop("namespace"))
    found = assert_findings(eso_doppler_token, tree, [(STORE, line_with(tree, STORE, "dopplerToken:"))])
    assert "requires namespace" in found[0].message


def test_doppler_token_rule_requires_a_token_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], STORE, lambda d: _token(d).update(name=""))
    found = findings(eso_doppler_token, tree)
    assert [p.message.split(" (")[0] for p in found] == ["dopplerToken.name cannot be empty"]
