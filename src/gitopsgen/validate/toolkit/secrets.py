"""Which Secrets will exist and with which keys: ExternalSecret targets and CloudNativePG's
generated Secrets (docs/components.md §1, §3)."""

from __future__ import annotations

from dataclasses import dataclass

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Document, Manifest, RenderedTree
from gitopsgen.tree.memo import per_tree
from gitopsgen.tree.yamlio import dig


@dataclass(frozen=True)
class KnownSecret:
    """A Secret that will exist in the cluster and the keys it will hold."""

    namespace: str | None
    name: str
    keys: frozenset[str]
    source: str
    """Who creates it: 'ExternalSecret' or 'CloudNativePG'."""


def es_target(doc: Manifest) -> str:
    """The name of the Secret an ExternalSecret writes."""
    return str(dig(doc.data, "spec", "target", "name") or doc.ident.name)


def es_keys(doc: Document) -> frozenset[str]:
    """The keys of the Secret an ExternalSecret writes."""
    keys = {item.get("secretKey") for item in dig(doc.data, "spec", "data", default=[]) or []
            if isinstance(item, dict)}
    template_data = dig(doc.data, "spec", "target", "template", "data", default={})
    if isinstance(template_data, dict):
        keys.update(template_data)
    return frozenset(k for k in keys if isinstance(k, str))


def known_secrets(tree: RenderedTree) -> dict[tuple[str | None, str], KnownSecret]:
    """Secrets created by ExternalSecrets and by CloudNativePG, by (namespace, name)."""
    return per_tree(tree, "known-secrets", lambda: _known_secrets(tree))


def _known_secrets(tree: RenderedTree) -> dict[tuple[str | None, str], KnownSecret]:
    found: dict[tuple[str | None, str], KnownSecret] = {}
    for doc in tree.manifests("ExternalSecret"):
        ns = doc.ident.namespace
        found[(ns, es_target(doc))] = KnownSecret(ns, es_target(doc), es_keys(doc), "ExternalSecret")
    for doc in tree.manifests("Cluster", domain.CNPG_API_VERSION):
        ns, cluster = doc.ident.namespace, doc.ident.name
        if not dig(doc.data, "spec", "bootstrap", "initdb", "secret", "name"):
            name = cluster + domain.CNPG_APP_SECRET_SUFFIX
            found[(ns, name)] = KnownSecret(ns, name, domain.CNPG_SECRET_KEYS, "CloudNativePG")
        if dig(doc.data, "spec", "enableSuperuserAccess") is True:
            name = cluster + domain.CNPG_SUPERUSER_SECRET_SUFFIX
            found[(ns, name)] = KnownSecret(ns, name, domain.CNPG_SECRET_KEYS, "CloudNativePG")
    return found
