"""redis-app-connection: the API's Redis settings name the rendered Redis objects.

Facts: docs/components.md §10.

Spring Boot (docs/components.md §10) connects by mode:

* sentinel: `SPRING_DATA_REDIS_SENTINEL_MASTER` must equal the RedisSentinel's `masterGroupName`
  (operator default `myMaster`, capital M), and every host of `SPRING_DATA_REDIS_SENTINEL_NODES`
  must be a sentinel pod, `<sentinel>-sentinel-<i>.<sentinel>-sentinel-headless.<ns>.svc` with
  `i` below `clusterSize` (the operator's StatefulSet serves pods under `<sts>-headless`), or one
  of the operator's Services `<sentinel>-sentinel[-headless]` (optionally `.<ns>[.svc[...]]`), on
  port 26379. Listing pods, every pod must be listed; listing a Service is a warning: the client
  then knows one load-balanced address instead of the sentinels, and a reconnection during a
  failover can land on any of them;
* standalone: `SPRING_DATA_REDIS_HOST` must be a Service the operator makes for a rendered `Redis`
  (`<n>`, `<n>-headless`, `<n>-additional`) or the `<replication>-master` Service, and
  `SPRING_DATA_REDIS_PORT` 6379.

In both modes `SPRING_DATA_REDIS_PASSWORD` is present exactly when the Redis CR has a
`redisSecret`, as a secretKeyRef equal to it; `SPRING_DATA_REDIS_SENTINEL_PASSWORD` is present
exactly when the RedisSentinel has its own `redisSecret`, and then equal to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import (
    Env,
    Finding,
    PodPath,
    dig,
    env_map,
    pod_host,
    redis_docs,
    service_name,
    workloads,
)

ID = "redis-app-connection"
SECRET = ("spec", "kubernetesConfig", "redisSecret")
MASTER = "SPRING_DATA_REDIS_SENTINEL_MASTER"
NODES = "SPRING_DATA_REDIS_SENTINEL_NODES"


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc, pod in workloads(tree):
        env = env_map(doc)
        if not any(name.startswith("SPRING_DATA_REDIS_") for name in env):
            continue
        if MASTER in env or NODES in env:
            yield from _sentinel(tree, doc, pod, env)
        else:
            yield from _standalone(tree, doc, pod, env)


def _literal(env: Env, name: str) -> str | None:
    value = env[name][1].get("value") if name in env else None
    return value if isinstance(value, str) else None


def _sentinel_services(sentinel: str) -> tuple[str, str]:
    """The Services of a RedisSentinel clients may list as sentinel nodes (docs/components.md §2)."""
    return (sentinel + domain.REDIS_SENTINEL_SUFFIX, f"{sentinel}{domain.REDIS_SENTINEL_SUFFIX}-headless")


def _sentinel_of(host: str, ns: str | None, sentinels: dict[str, Manifest]) -> tuple[str | None, int | None]:
    """(RedisSentinel name, pod ordinal or None for a Service) that `host` addresses, or (None, None)."""
    pod = pod_host(host)
    if pod is not None:
        name, service, pod_ns = pod
        for sentinel, doc in sentinels.items():
            sts = sentinel + domain.REDIS_SENTINEL_SUFFIX
            prefix, _, ordinal = name.rpartition("-")
            size = dig(doc.data, "spec", "clusterSize", default=3)
            if (pod_ns == ns and service == f"{sts}-headless" and prefix == sts and ordinal.isdigit()
                    and isinstance(size, int) and int(ordinal) < size):
                return sentinel, int(ordinal)
        return None, None
    name, host_ns = service_name(host, ns)
    owner = next((s for s in sentinels if name in _sentinel_services(s)), None)
    return (owner, None) if owner is not None and host_ns == ns else (None, None)


def _sentinel(tree: RenderedTree, doc: Manifest, pod: PodPath, env: Env) -> Iterator[Finding]:
    ns = doc.ident.namespace
    sentinels = {d.ident.name: d for d in redis_docs(tree, "RedisSentinel") if d.ident.namespace == ns}
    watched: Manifest | None = None
    nodes = _literal(env, NODES)
    if nodes is not None:
        path = (*env[NODES][0], "value")
        listed: dict[str, set[int]] = {}
        for node in nodes.split(","):
            host, _, port = node.strip().rpartition(":")
            owner, ordinal = _sentinel_of(host, ns, sentinels)
            if owner is None or port != str(domain.SENTINEL_PORT):
                names = ", ".join(_sentinel_services(s)[0] for s in sorted(sentinels)) or "none"
                yield Finding(path, f"sentinel node {node.strip()!r} is not a pod or Service of a "
                              f"RedisSentinel on port {domain.SENTINEL_PORT} in namespace {ns!r}",
                              hint=f"rendered sentinels: {names}", doc=doc)
                continue
            watched = sentinels[owner]
            if ordinal is None:
                yield Finding(path, f"sentinel node {node.strip()!r} is one load-balanced Service: the "
                              "client cannot tell the sentinels apart", severity=Severity.WARNING,
                              hint="list every sentinel pod, <sentinel>-sentinel-<i>.<sentinel>-sentinel-headless"
                                   ".<ns>.svc:26379", doc=doc)
            else:
                listed.setdefault(owner, set()).add(ordinal)
        for owner, ordinals in sorted(listed.items()):
            size = dig(sentinels[owner].data, "spec", "clusterSize", default=3)
            missing = sorted(set(range(size if isinstance(size, int) else 0)) - ordinals)
            if missing:
                yield Finding(path, f"sentinel pods {missing} of RedisSentinel {owner!r} are not listed",
                              hint=f"list all {size} sentinel pods", doc=doc)
    if watched is None and len(sentinels) == 1:
        watched = next(iter(sentinels.values()))
    if watched is None:
        return
    master = _literal(env, MASTER)
    group = dig(watched.data, "spec", "redisSentinelConfig", "masterGroupName",
                default=domain.SENTINEL_DEFAULT_MASTER_GROUP)
    if MASTER not in env or master != group:
        where = (*env[MASTER][0], "value") if MASTER in env else pod
        yield Finding(where, f"{MASTER} is {master!r}, the sentinels' masterGroupName is {group!r}", doc=doc)
    yield from _password(doc, pod, env, "SPRING_DATA_REDIS_SENTINEL_PASSWORD", dig(watched.data, *SECRET), watched)
    replication = tree.get("RedisReplication", dig(watched.data, "spec", "redisSentinelConfig",
                                                   "redisReplicationName", default=""), ns)
    if replication is not None:
        yield from _password(doc, pod, env, "SPRING_DATA_REDIS_PASSWORD", dig(replication.data, *SECRET),
                             replication)


def _standalone(tree: RenderedTree, doc: Manifest, pod: PodPath, env: Env) -> Iterator[Finding]:
    ns = doc.ident.namespace
    host = _literal(env, "SPRING_DATA_REDIS_HOST")
    if host is None:
        return
    name, host_ns = service_name(host, ns)
    target = None
    for redis in redis_docs(tree):
        ident = redis.ident
        names = {"Redis": (ident.name, f"{ident.name}-headless", f"{ident.name}-additional"),
                 "RedisReplication": (ident.name + domain.REDIS_MASTER_SUFFIX,)}.get(ident.kind, ())
        if ident.namespace == host_ns and name in names:
            target = redis
    if target is None:
        yield Finding((*env["SPRING_DATA_REDIS_HOST"][0], "value"), f"SPRING_DATA_REDIS_HOST {host!r} "
                      f"is not a Service of a rendered Redis in namespace {host_ns!r}", doc=doc)
        return
    port = _literal(env, "SPRING_DATA_REDIS_PORT")
    if port is not None and port != str(domain.REDIS_PORT):
        yield Finding((*env["SPRING_DATA_REDIS_PORT"][0], "value"),
                      f"SPRING_DATA_REDIS_PORT is {port}, Redis listens on {domain.REDIS_PORT}", doc=doc)
    yield from _password(doc, pod, env, "SPRING_DATA_REDIS_PASSWORD", dig(target.data, *SECRET), target)


def _password(doc: Manifest, pod: PodPath, env: Env, var: str, secret: Any, owner: Manifest) -> Iterator[Finding]:
    what = f"{owner.ident.kind} {owner.ident.name}"
    expected = f"{dig(secret, 'name')}/{dig(secret, 'key')}"
    if var not in env:
        if secret is not None:
            yield Finding(pod, f"{var} is missing but {what} has a redisSecret",
                          hint=f"add {var} from secretKeyRef {expected}", doc=doc)
        return
    path, entry = env[var]
    ref = dig(entry, "valueFrom", "secretKeyRef")
    if secret is None:
        yield Finding(path, f"{var} is set but {what} has no redisSecret", doc=doc)
    elif not isinstance(ref, dict) or (ref.get("name"), ref.get("key")) != (dig(secret, "name"), dig(secret, "key")):
        yield Finding(path, f"{var} must be the secretKeyRef {expected} of {what}", doc=doc)
