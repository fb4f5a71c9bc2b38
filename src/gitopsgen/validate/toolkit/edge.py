"""Ingresses, their hosts and classes, External-DNS annotations, the tunnel config."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import domain, layout
from gitopsgen.tree.argocd import values_doc
from gitopsgen.tree.manifests import Document, Manifest, RenderedTree
from gitopsgen.tree.yamlio import dig


def ingress_hosts(tree: RenderedTree, class_name: str | None = None) -> Iterator[tuple[Manifest, int, str]]:
    """(Ingress, rule index, host) of every Ingress rule host, optionally of one ingressClassName."""
    for doc in tree.manifests("Ingress"):
        if class_name is not None and dig(doc.data, "spec", "ingressClassName") != class_name:
            continue
        for i, rule in enumerate(dig(doc.data, "spec", "rules", default=[]) or []):
            host = rule.get("host") if isinstance(rule, dict) else None
            if isinstance(host, str):
                yield doc, i, host


def distinct(docs: Iterator[tuple[Manifest, int, str]]) -> list[Manifest]:
    """The Ingresses of `ingress_hosts` once each, in order."""
    seen: dict[Any, Manifest] = {}
    for doc, _, _ in docs:
        seen.setdefault(doc.ident, doc)
    return list(seen.values())


def nginx_class(tree: RenderedTree) -> str:
    """The IngressClass ingress-nginx serves: its values' ingressClassResource.name, else `nginx`."""
    values = values_doc(tree, domain.INGRESS_NGINX_CHART)
    name = dig(values.data, "controller", "ingressClassResource", "name") if values else None
    return name if isinstance(name, str) else "nginx"


def external_dns_annotations(doc: Document) -> dict[str, str]:
    """Annotations of a document that external-dns reads (either known prefix)."""
    annotations = dig(doc.data, "metadata", "annotations", default={}) or {}
    return {k: v for k, v in annotations.items()
            if isinstance(k, str) and k.startswith(domain.EXTERNAL_DNS_PREFIXES)}


def cloudflared_config(tree: RenderedTree) -> Document | None:
    """The committed tunnel config (`config/cloudflared/config.yaml`), when rendered."""
    return tree.first(layout.CLOUDFLARED_CONFIG)
