"""redis-secret-wiring: the Redis password Secret is wired into every Redis CR that needs it.

Facts: docs/components.md §2.

* `kubernetesConfig.redisSecret {name, key}` of a `Redis`/`RedisReplication`/`RedisSentinel`
  enables `requirepass` from that Secret, injected as env `REDIS_PASSWORD` via secretKeyRef
  (docs/components.md §2): it must name an ExternalSecret target in the same namespace, and `key` must
  be one of the keys that ExternalSecret produces, or the Redis pods never start.
* A `RedisSentinel` reaches password-protected Redis nodes with
  `redisSentinelConfig.redisReplicationPassword.secretKeyRef`, which must equal the watched
  replication's `redisSecret {name, key}`; without it the sentinels cannot monitor the master.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, known_secrets, redis_docs

ID = "redis-secret-wiring"
SECRET = ("spec", "kubernetesConfig", "redisSecret")
REPLICATION_PASSWORD = ("spec", "redisSentinelConfig", "redisReplicationPassword", "secretKeyRef")


def check(tree: RenderedTree) -> Iterator[Finding]:
    secrets = known_secrets(tree)
    for doc in redis_docs(tree):
        ident = doc.ident
        ref = dig(doc.data, *SECRET)
        if ref is None:
            continue
        name, key = dig(ref, "name"), dig(ref, "key")
        known = secrets.get((ident.namespace, name)) if isinstance(name, str) else None
        if known is None or known.source != "ExternalSecret":
            yield Finding((*SECRET, "name"), f"redisSecret {name!r} is not an ExternalSecret target "
                          f"in namespace {ident.namespace!r}", doc=doc)
        elif key not in known.keys:
            yield Finding((*SECRET, "key"), f"redisSecret key {key!r} is not produced by "
                          f"ExternalSecret {name!r}", hint=f"its keys: {', '.join(sorted(known.keys))}", doc=doc)

    replications = {(d.ident.namespace, d.ident.name): d
                    for d in redis_docs(tree, "RedisReplication")}
    for doc in redis_docs(tree, "RedisSentinel"):
        ident = doc.ident
        target = replications.get((ident.namespace, dig(doc.data, "spec", "redisSentinelConfig",
                                                        "redisReplicationName")))
        if target is None:
            continue  # redis-sentinel-refs reports it
        wanted = dig(target.data, *SECRET)
        given = dig(doc.data, *REPLICATION_PASSWORD)
        if wanted is None and given is None:
            continue
        if given is None:
            yield Finding(("spec", "redisSentinelConfig"),
                          "redisReplicationPassword is missing: the sentinels cannot authenticate to "
                          f"RedisReplication {target.ident.name!r}",
                          hint="set redisReplicationPassword.secretKeyRef to the replication's redisSecret", doc=doc)
        elif wanted is None or (dig(given, "name"), dig(given, "key")) != (dig(wanted, "name"), dig(wanted, "key")):
            yield Finding(REPLICATION_PASSWORD,
                          f"redisReplicationPassword {dig(given, 'name')}/{dig(given, 'key')} differs from the "
                          f"replication's redisSecret {dig(wanted, 'name')}/{dig(wanted, 'key')}", doc=doc)
