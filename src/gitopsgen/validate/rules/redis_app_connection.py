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

from gitopsgen.manifests import Document, RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.rules import dig, finding
from gitopsgen.validate.rules._platform import env_map, identity, pod_spec_path, redis_docs

ID = "redis-app-connection"
SECRET = ("spec", "kubernetesConfig", "redisSecret")
Env = dict[str, tuple[tuple[str | int, ...], dict[str, Any]]]


def service_name(host: str, namespace: str | None) -> tuple[str, str | None]:
    """`name[.ns[.svc[.<cluster domain>]]]` -> (name, namespace); a bare name is in `namespace`.
    Anything else (an external host) gets namespace None."""
    parts = host.split(".")
    if len(parts) == 1:
        return parts[0], namespace
    if len(parts) == 2 or parts[2] == "svc":
        return parts[0], parts[1]
    return parts[0], None


def check(tree: RenderedTree) -> Iterator[Problem]:
    for doc in tree.manifests():
        if pod_spec_path(doc) is None:
            continue
        env = env_map(doc)
        if not any(name.startswith("SPRING_DATA_REDIS_") for name in env):
            continue
        if "SPRING_DATA_REDIS_SENTINEL_MASTER" in env or "SPRING_DATA_REDIS_SENTINEL_NODES" in env:
            yield from _sentinel(tree, doc, env)
        else:
            yield from _standalone(tree, doc, env)


def _literal(env: Env, name: str) -> str | None:
    value = env[name][1].get("value") if name in env else None
    return value if isinstance(value, str) else None


def _sentinel(tree: RenderedTree, doc: Document, env: Env) -> Iterator[Problem]:
    ns = identity(doc).namespace
    sentinels = {identity(d).name: d for d in redis_docs(tree, "RedisSentinel")
                 if identity(d).namespace == ns}
    watched: Document | None = None
    nodes = _literal(env, "SPRING_DATA_REDIS_SENTINEL_NODES")
    if nodes is not None:
        path = (*env["SPRING_DATA_REDIS_SENTINEL_NODES"][0], "value")
        for node in nodes.split(","):
            host, _, port = node.strip().rpartition(":")
            name, node_ns = service_name(host, ns)
            owner = next((s for s in sentinels if name in (f"{s}-sentinel", f"{s}-sentinel-headless")), None)
            if owner is None or node_ns != ns or port != "26379":
                yield finding(tree, doc, path, f"sentinel node {node.strip()!r} is not a RedisSentinel Service "
                              f"on port 26379 in namespace {ns!r}", rule=ID,
                              hint="rendered sentinels: " + (", ".join(f"{s}-sentinel" for s in sorted(sentinels))
                                                             or "none"))
            else:
                watched = sentinels[owner]
    if watched is None and len(sentinels) == 1:
        watched = next(iter(sentinels.values()))
    if watched is None:
        return
    master = _literal(env, "SPRING_DATA_REDIS_SENTINEL_MASTER")
    group = dig(watched.data, "spec", "redisSentinelConfig", "masterGroupName", default="myMaster")
    if "SPRING_DATA_REDIS_SENTINEL_MASTER" not in env or master != group:
        where = (*env["SPRING_DATA_REDIS_SENTINEL_MASTER"][0], "value") \
            if "SPRING_DATA_REDIS_SENTINEL_MASTER" in env else pod_spec_path(doc) or ()
        yield finding(tree, doc, where, f"SPRING_DATA_REDIS_SENTINEL_MASTER is {master!r}, the sentinels' "
                      f"masterGroupName is {group!r}", rule=ID)
    yield from _password(tree, doc, env, "SPRING_DATA_REDIS_SENTINEL_PASSWORD", dig(watched.data, *SECRET),
                         watched)
    replication = tree.get("RedisReplication", dig(watched.data, "spec", "redisSentinelConfig",
                                                   "redisReplicationName", default=""), ns)
    if replication is not None:
        yield from _password(tree, doc, env, "SPRING_DATA_REDIS_PASSWORD", dig(replication.data, *SECRET),
                             replication)


def _standalone(tree: RenderedTree, doc: Document, env: Env) -> Iterator[Problem]:
    ns = identity(doc).namespace
    host = _literal(env, "SPRING_DATA_REDIS_HOST")
    if host is None:
        return
    name, host_ns = service_name(host, ns)
    target = None
    for redis in redis_docs(tree):
        ident = redis.identity
        assert ident is not None
        names = {"Redis": (ident.name, f"{ident.name}-headless", f"{ident.name}-additional"),
                 "RedisReplication": (f"{ident.name}-master",)}.get(ident.kind, ())
        if ident.namespace == host_ns and name in names:
            target = redis
    if target is None:
        yield finding(tree, doc, (*env["SPRING_DATA_REDIS_HOST"][0], "value"), f"SPRING_DATA_REDIS_HOST {host!r} "
                      f"is not a Service of a rendered Redis in namespace {host_ns!r}", rule=ID)
        return
    port = _literal(env, "SPRING_DATA_REDIS_PORT")
    if port is not None and port != "6379":
        yield finding(tree, doc, (*env["SPRING_DATA_REDIS_PORT"][0], "value"),
                      f"SPRING_DATA_REDIS_PORT is {port}, Redis listens on 6379", rule=ID)
    yield from _password(tree, doc, env, "SPRING_DATA_REDIS_PASSWORD", dig(target.data, *SECRET), target)


def _password(tree: RenderedTree, doc: Document, env: Env, var: str, secret: Any,
              owner: Document) -> Iterator[Problem]:
    what = f"{identity(owner).kind} {identity(owner).name}"
    if var not in env:
        if secret is not None:
            yield finding(tree, doc, pod_spec_path(doc) or (), f"{var} is missing but {what} has a redisSecret",
                          rule=ID, hint=f"add {var} from secretKeyRef {dig(secret, 'name')}/{dig(secret, 'key')}")
        return
    path, entry = env[var]
    ref = dig(entry, "valueFrom", "secretKeyRef")
    if secret is None:
        yield finding(tree, doc, path, f"{var} is set but {what} has no redisSecret", rule=ID)
    elif not isinstance(ref, dict) or (ref.get("name"), ref.get("key")) != (dig(secret, "name"), dig(secret, "key")):
        yield finding(tree, doc, path, f"{var} must be the secretKeyRef {dig(secret, 'name')}/{dig(secret, 'key')} "
                      f"of {what}", rule=ID)
