"""redis-memory: Redis pods have a memory limit, a maxmemory below it and an eviction policy.

A Redis without `maxmemory` grows until the kernel kills it; without resources its pods are
BestEffort and evicted first. The OT operator derives `maxmemory` from
`redisConfig.maxMemoryPercentOfLimit` and the memory limit, but only its init-container agent
(feature gate `GenerateConfigInInitContainer`, off by default) writes it into redis.conf: the
image's entrypoint ignores the computed `REDIS_MAX_MEMORY`. What the image does read is the
`redis-additional.conf` key of the ConfigMap named by `redisConfig.additionalRedisConfig`. So for
every `Redis` and `RedisReplication`:

* `kubernetesConfig.resources.limits.memory` is set;
* `redisConfig.additionalRedisConfig` names a rendered ConfigMap of its namespace whose
  `redis-additional.conf` sets `maxmemory` (at most the memory limit) and a `maxmemory-policy`;
  `noeviction` is a warning (a full cache then fails writes instead of evicting);
* every `RedisSentinel` has memory requests and limits too (warning).

Upstream: OT-CONTAINER-KIT/redis-operator v0.26.0 api/common/v1beta2 RedisConfig,
internal/k8sutils/statefulset.go (REDIS_MAX_MEMORY, external config mounted at
/etc/redis/external.conf.d), internal/agent/bootstrap/redis/config.go; OT-CONTAINER-KIT/redis
entrypoint.sh (EXTERNAL_CONFIG_FILE).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, redis_docs

ID = "redis-memory"
LIMIT = ("spec", "kubernetesConfig", "resources", "limits", "memory")


def _redis_units(value: str) -> int | None:
    """A redis.conf memory value: bytes, or k/kb/m/mb/g/gb (redis.conf: 1k = 1000, 1kb = 1024)."""
    match = re.fullmatch(r"(\d+)(k|kb|m|mb|g|gb)?", value.strip().lower())
    if match is None:
        return None
    factor = {None: 1, "k": 10**3, "kb": 2**10, "m": 10**6, "mb": 2**20, "g": 10**9, "gb": 2**30}[match.group(2)]
    return int(match.group(1)) * factor


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc in redis_docs(tree):
        if doc.ident.kind == "RedisSentinel":
            resources = dig(doc.data, "spec", "kubernetesConfig", "resources")
            if not dig(resources, "limits", "memory") or not dig(resources, "requests"):
                yield Finding(("spec", "kubernetesConfig"), "sentinels without memory requests and limits "
                              "run BestEffort, evicted first under node pressure", severity=Severity.WARNING, doc=doc)
        elif doc.ident.kind in ("Redis", "RedisReplication"):
            yield from _memory(tree, doc)


def _memory(tree: RenderedTree, doc: Manifest) -> Iterator[Finding]:
    limit = domain.quantity_bytes(dig(doc.data, *LIMIT))
    if limit is None:
        yield Finding(("spec", "kubernetesConfig"), "no memory limit: Redis runs without maxmemory and is "
                      "evicted first", hint="set kubernetesConfig.resources.limits.memory", doc=doc)
    name = dig(doc.data, "spec", "redisConfig", "additionalRedisConfig")
    config = tree.get("ConfigMap", str(name), doc.ident.namespace) if name else None
    if config is None:
        where = ("spec", "redisConfig", "additionalRedisConfig") if name else ("spec",)
        yield Finding(where, "no rendered additionalRedisConfig ConfigMap sets maxmemory: the image ignores "
                      "maxMemoryPercentOfLimit unless the operator's GenerateConfigInInitContainer gate is on",
                      hint=f"render a ConfigMap with key {domain.REDIS_EXTERNAL_CONFIG_KEY}: maxmemory and "
                           "maxmemory-policy", doc=doc)
        return
    path = ("data", domain.REDIS_EXTERNAL_CONFIG_KEY)
    lines = str(dig(config.data, *path, default="")).splitlines()
    settings = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in lines if len(line.split(None, 1)) == 2}
    maxmemory = _redis_units(settings.get("maxmemory", ""))
    if maxmemory is None or maxmemory == 0:
        yield Finding(path if dig(config.data, *path) is not None else ("data",),
                      f"{domain.REDIS_EXTERNAL_CONFIG_KEY} sets no maxmemory for {doc.ident}", doc=config)
    elif limit is not None and maxmemory > limit:
        yield Finding(path, f"maxmemory {maxmemory} is above the memory limit {limit} of {doc.ident}: the "
                      "kernel kills Redis before it evicts", doc=config)
    policy = settings.get("maxmemory-policy")
    if policy is None:
        yield Finding(path if dig(config.data, *path) is not None else ("data",),
                      "no maxmemory-policy: the default noeviction fails writes when the cache is full",
                      severity=Severity.WARNING, hint="maxmemory-policy allkeys-lru", doc=config)
    elif policy.strip() == "noeviction":
        yield Finding(path, "maxmemory-policy noeviction: a full cache fails writes instead of evicting",
                      severity=Severity.WARNING, doc=config)
