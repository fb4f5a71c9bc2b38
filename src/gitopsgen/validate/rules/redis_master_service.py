"""redis-master-service: no Service collides with the operator's; a master-only one selects the master.

Facts: docs/components.md §2.

OT redis-operator creates these Services itself (docs/components.md §2): `Redis <n>`: `<n>`,
`<n>-headless`, `<n>-additional`, `<n>-metrics`; `RedisReplication <n>`: the same plus
`<n>-master` (since v0.19.0; it follows the `redis-role: master` pod label) and `<n>-replica`;
`RedisSentinel <n>`: `<n>-sentinel`, `-sentinel-headless`, `-sentinel-additional`. A rendered
Service with one of these names fights the operator (each overwrites the other's selector).

A Service of our own that selects `redis-role: master` must select exactly `{app: <replication>,
redis_setup_type: replication, role: replication, redis-role: master}` of a rendered
replication, on port 6379; anything else misses pods or picks up replicas.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, redis_docs

ID = "redis-master-service"


def check(tree: RenderedTree) -> Iterator[Finding]:
    owned: dict[tuple[str | None, str], str] = {}
    replications = set()
    for doc in redis_docs(tree):
        ident = doc.ident
        for suffix in domain.REDIS_SERVICE_SUFFIXES.get(ident.kind, ()):
            owned[(ident.namespace, ident.name + suffix)] = f"{ident.kind} {ident.name}"
        if ident.kind == "RedisReplication":
            replications.add((ident.namespace, ident.name))
    for doc in tree.manifests("Service", "v1"):
        ident = doc.ident
        owner = owned.get((ident.namespace, ident.name))
        if owner is not None:
            yield Finding(("metadata", "name"), f"Service name is owned by the operator ({owner})",
                          hint="use the operator's Service, or name yours differently (e.g. <name>-rw)", doc=doc)
        selector = dig(doc.data, "spec", "selector", default={}) or {}
        if not isinstance(selector, dict) or selector.get("redis-role") != "master":
            continue
        app = selector.get("app")
        expected = {"app": app, "redis_setup_type": "replication", "role": "replication", "redis-role": "master"}
        if (ident.namespace, app) not in replications or selector != expected:
            yield Finding(("spec", "selector"), "a master-only selector must be exactly {app: "
                          "<replication>, redis_setup_type: replication, role: replication, redis-role: master} "
                          "of a rendered RedisReplication", doc=doc)
        ports = dig(doc.data, "spec", "ports", default=[]) or []
        if not any(isinstance(p, dict) and domain.REDIS_PORT in (p.get("port"), p.get("targetPort")) for p in ports):
            yield Finding(("spec", "ports"), f"a master-only Service must expose Redis port {domain.REDIS_PORT}",
                          doc=doc)
