"""redis-sentinel-quorum: the sentinel quorum is a quoted number the sentinels can reach.

Facts: docs/components.md §2.

* `redisSentinelConfig.quorum` is a **string** in the CRD (default `"2"`); an integer is refused
  by the API server.
* 1 <= quorum <= `clusterSize` (default 3): a quorum larger than the number of sentinels can
  never declare the master down, so no failover ever happens.
* Warnings: a quorum of at most half the sentinels lets a minority partition start a failover
  vote; an even `clusterSize` is refused by the operator's webhook when enabled ("Redis Sentinel
  cluster size must be an odd number for proper leader election").
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, redis_docs

ID = "redis-sentinel-quorum"
QUORUM = ("spec", "redisSentinelConfig", "quorum")


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc in redis_docs(tree, "RedisSentinel"):
        size = dig(doc.data, "spec", "clusterSize", default=3)
        if not isinstance(size, int):
            continue  # schema validation reports it
        if size % 2 == 0:
            yield Finding(("spec", "clusterSize"), f"clusterSize {size} is even",
                          severity=Severity.WARNING, hint="use an odd number of sentinels for leader election", doc=doc)
        quorum = dig(doc.data, *QUORUM, default="2")
        path = QUORUM if dig(doc.data, *QUORUM) is not None else ("spec", "redisSentinelConfig")
        if not isinstance(quorum, str):
            yield Finding(path, f"quorum must be a quoted string, got {quorum!r}",
                          hint=f'write quorum: "{quorum}"', doc=doc)
            quorum = str(quorum)
        if not quorum.isdigit():
            yield Finding(path, f"quorum {quorum!r} is not a whole number", doc=doc)
            continue
        value = int(quorum)
        if not 1 <= value <= size:
            yield Finding(path, f"quorum {value} must be between 1 and clusterSize ({size})", doc=doc)
        elif value <= size // 2:
            yield Finding(path, f"quorum {value} is not a majority of {size} sentinels",
                          severity=Severity.WARNING, doc=doc)
