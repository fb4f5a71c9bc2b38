"""redis-app-connection: the API's Redis settings name the rendered Redis objects (DOMAIN X10, X11).

Spring Boot (DOMAIN section 10) connects by mode:

* sentinel: `SPRING_DATA_REDIS_SENTINEL_MASTER` must equal the RedisSentinel's `masterGroupName`
  (operator default `myMaster`, capital M), and every host of `SPRING_DATA_REDIS_SENTINEL_NODES`
  must be `<sentinel>-sentinel` or `<sentinel>-sentinel-headless` (optionally `.<ns>[.svc[...]]`)
  on port 26379: the Services the operator makes for that RedisSentinel;
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

from gitopsgen import domain
from gitopsgen.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import Env, Finding, PodPath, dig, env_map, redis_docs, service_name, workloads

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
    """The Services of a RedisSentinel clients may list as sentinel nodes (DOMAIN section 2)."""
    return (sentinel + domain.REDIS_SENTINEL_SUFFIX, f"{sentinel}{domain.REDIS_SENTINEL_SUFFIX}-headless")


def _sentinel(tree: RenderedTree, doc: Manifest, pod: PodPath, env: Env) -> Iterator[Finding]:
    ns = doc.ident.namespace
    sentinels = {d.ident.name: d for d in redis_docs(tree, "RedisSentinel") if d.ident.namespace == ns}
    watched: Manifest | None = None
    nodes = _literal(env, NODES)
    if nodes is not None:
        path = (*env[NODES][0], "value")
        for node in nodes.split(","):
            host, _, port = node.strip().rpartition(":")
            name, node_ns = service_name(host, ns)
            owner = next((s for s in sentinels if name in _sentinel_services(s)), None)
            if owner is None or node_ns != ns or port != str(domain.SENTINEL_PORT):
                listed = ", ".join(_sentinel_services(s)[0] for s in sorted(sentinels)) or "none"
                yield Finding(doc, path, f"sentinel node {node.strip()!r} is not a RedisSentinel Service "
                              f"on port {domain.SENTINEL_PORT} in namespace {ns!r}",
                              hint=f"rendered sentinels: {listed}")
            else:
                watched = sentinels[owner]
    if watched is None and len(sentinels) == 1:
        watched = next(iter(sentinels.values()))
    if watched is None:
        return
    master = _literal(env, MASTER)
    group = dig(watched.data, "spec", "redisSentinelConfig", "masterGroupName",
                default=domain.SENTINEL_DEFAULT_MASTER_GROUP)
    if MASTER not in env or master != group:
        where = (*env[MASTER][0], "value") if MASTER in env else pod
        yield Finding(doc, where, f"{MASTER} is {master!r}, the sentinels' masterGroupName is {group!r}")
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
        yield Finding(doc, (*env["SPRING_DATA_REDIS_HOST"][0], "value"), f"SPRING_DATA_REDIS_HOST {host!r} "
                      f"is not a Service of a rendered Redis in namespace {host_ns!r}")
        return
    port = _literal(env, "SPRING_DATA_REDIS_PORT")
    if port is not None and port != str(domain.REDIS_PORT):
        yield Finding(doc, (*env["SPRING_DATA_REDIS_PORT"][0], "value"),
                      f"SPRING_DATA_REDIS_PORT is {port}, Redis listens on {domain.REDIS_PORT}")
    yield from _password(doc, pod, env, "SPRING_DATA_REDIS_PASSWORD", dig(target.data, *SECRET), target)


def _password(doc: Manifest, pod: PodPath, env: Env, var: str, secret: Any, owner: Manifest) -> Iterator[Finding]:
    what = f"{owner.ident.kind} {owner.ident.name}"
    expected = f"{dig(secret, 'name')}/{dig(secret, 'key')}"
    if var not in env:
        if secret is not None:
            yield Finding(doc, pod, f"{var} is missing but {what} has a redisSecret",
                          hint=f"add {var} from secretKeyRef {expected}")
        return
    path, entry = env[var]
    ref = dig(entry, "valueFrom", "secretKeyRef")
    if secret is None:
        yield Finding(doc, path, f"{var} is set but {what} has no redisSecret")
    elif not isinstance(ref, dict) or (ref.get("name"), ref.get("key")) != (dig(secret, "name"), dig(secret, "key")):
        yield Finding(doc, path, f"{var} must be the secretKeyRef {expected} of {what}")
