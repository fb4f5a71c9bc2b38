"""eso-doppler-keys: ExternalSecrets ask Doppler for names Doppler can hold (DOMAIN X6)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import eso_doppler_keys
from kit import assert_findings, line_with, mutate

STORE = "manifests/secret-store/cluster-secret-store.yaml"


REDIS_ES = "manifests/secrets/redis-auth.yaml"


def test_doppler_key_rule_flags_a_lowercase_remote_key(rendered: dict[str, RenderedTree]) -> None:
    def lower(docs: list[Any]) -> None:
        docs[0]["spec"]["data"][0]["remoteRef"]["key"] = "redis-password"

    tree = mutate(rendered["prd"], REDIS_ES, lower)
    assert_findings(eso_doppler_keys, tree, [(REDIS_ES,
                                                      line_with(tree, REDIS_ES, "key: redis-password"))])
    transformed = mutate(tree, STORE, lambda d: d[0]["spec"]["provider"]["doppler"].update(nameTransformer="camel"))
    assert_findings(eso_doppler_keys, transformed, [])
