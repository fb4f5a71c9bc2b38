"""eso-store-ref: every ExternalSecret is served and reads from a rendered ClusterSecretStore (DOMAIN X1)."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import eso_store_ref
from kit import assert_findings, line_with, mutate

REDIS_ES = "manifests/secrets/redis-auth.yaml"


def test_store_ref_rule_flags_unserved_api_version_at_line_one(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS_ES, lambda d: d[0].update(apiVersion="external-secrets.io/v1beta1"))
    assert_findings(eso_store_ref, tree, [(REDIS_ES, 1)])


def test_store_ref_rule_flags_a_namespaced_store_kind(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS_ES, lambda d: d[0]["spec"]["secretStoreRef"].update(kind="SecretStore"))
    assert_findings(eso_store_ref, tree, [(REDIS_ES, line_with(tree, REDIS_ES,
                                                                                         "kind: SecretStore"))])


def test_store_ref_rule_flags_an_unknown_store_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS_ES, lambda d: d[0]["spec"]["secretStoreRef"].update(name="vault"))
    found = assert_findings(eso_store_ref, tree, [(REDIS_ES, line_with(tree, REDIS_ES, "name: vault"))])
    assert found[0].hint == "rendered stores: doppler"
