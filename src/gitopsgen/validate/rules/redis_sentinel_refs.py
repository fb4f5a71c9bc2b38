"""redis-sentinel-refs: a RedisSentinel watches a real replication, set up once.

Facts: docs/components.md §2.

* `redisSentinelConfig.redisReplicationName` must name a `RedisReplication` in the **same
  namespace** (OT redis-operator v0.26.0, redissentinel_types.go); otherwise the sentinels have no
  master to monitor.
* The watched replication needs `clusterSize` of at least 2 (1 master + replicas): with a single
  pod there is nothing to fail over to.
* Do not also set the replication's embedded `spec.sentinel` (its own `<name>-s` StatefulSet with
  master group `mymaster`) when a separate `RedisSentinel` watches it: two sentinel groups would
  vote on the same master.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, redis_docs

ID = "redis-sentinel-refs"


def check(tree: RenderedTree) -> Iterator[Finding]:
    replications = {(d.ident.namespace, d.ident.name): d
                    for d in redis_docs(tree, "RedisReplication")}
    for doc in redis_docs(tree, "RedisSentinel"):
        ident = doc.ident
        path = ("spec", "redisSentinelConfig", "redisReplicationName")
        name = dig(doc.data, *path)
        target = replications.get((ident.namespace, name))
        if target is None:
            known = ", ".join(sorted(n for ns, n in replications if ns == ident.namespace)) or "none"
            yield Finding(path, f"redisReplicationName {name!r} is not a RedisReplication in "
                          f"namespace {ident.namespace!r}", hint=f"replications there: {known}", doc=doc)
            continue
        size = dig(target.data, "spec", "clusterSize")
        if not isinstance(size, int) or size < 2:
            yield Finding(("spec", "clusterSize"), f"clusterSize {size!r} leaves the sentinels "
                          "nothing to fail over to", hint="1 master + 1 replica is clusterSize: 2", doc=target)
        if dig(target.data, "spec", "sentinel") is not None:
            yield Finding(("spec", "sentinel"), "embedded sentinel set while RedisSentinel "
                          f"{ident.name!r} also watches this replication", doc=target)
