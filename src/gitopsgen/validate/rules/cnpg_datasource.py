"""cnpg-datasource: the API's datasource points at the Cluster's primary and its own database (DOMAIN X15, X16).

CloudNativePG serves the primary on the `<cluster>-rw` Service, port 5432 (`-ro`/`-r` reach
replicas, where writes fail), and creates the database and owner of `bootstrap.initdb` (defaults
`app` / the database). For every workload with a literal `SPRING_DATASOURCE_URL`
(`jdbc:postgresql://host:port/db`):

* host is `<cluster>-rw` (optionally `.<ns>[.svc...]`) of a rendered Cluster, port 5432, database
  = that Cluster's `initdb.database`;
* `SPRING_DATASOURCE_USERNAME`/`_PASSWORD` come from that Cluster's generated `<cluster>-app`
  Secret (keys `username`/`password`), or a literal username equals `initdb.owner`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate.rules import dig, finding
from gitopsgen.validate.rules._platform import env_map, identity
from gitopsgen.validate.rules.redis_app_connection import service_name

ID = "cnpg-datasource"
JDBC = re.compile(r"^jdbc:postgresql://(?P<host>[^:/?]+)(:(?P<port>\d+))?/(?P<db>[^?]+)(\?.*)?$")


def check(tree: RenderedTree) -> Iterator[Problem]:
    for doc in tree.manifests():
        env = env_map(doc)
        url = dig(env.get("SPRING_DATASOURCE_URL", ((), {}))[1], "value")
        if not isinstance(url, str):
            continue
        path = (*env["SPRING_DATASOURCE_URL"][0], "value")
        ns = identity(doc).namespace
        match = JDBC.match(url)
        if match is None:
            yield finding(tree, doc, path, f"{url!r} is not a jdbc:postgresql://host:port/db URL", rule=ID)
            continue
        name, host_ns = service_name(match["host"], ns)
        cluster_name = name[:-3] if name.endswith("-rw") else name.rsplit("-", 1)[0]
        cluster = tree.get("Cluster", cluster_name, host_ns)
        if cluster is None or not name.endswith("-rw"):
            yield finding(tree, doc, path, f"host {match['host']!r} is not the -rw Service of a rendered "
                          f"CloudNativePG Cluster in namespace {host_ns!r}", rule=ID,
                          hint="use <cluster>-rw: only the primary accepts writes")
            continue
        database = dig(cluster.data, "spec", "bootstrap", "initdb", "database", default="app")
        owner = dig(cluster.data, "spec", "bootstrap", "initdb", "owner", default=database)
        if (match["port"] or "5432") != "5432":
            yield finding(tree, doc, path, f"port {match['port']} is not PostgreSQL's 5432", rule=ID)
        if match["db"] != database:
            yield finding(tree, doc, path, f"database {match['db']!r} differs from the Cluster's initdb.database "
                          f"{database!r}", rule=ID)
        app_secret = dig(cluster.data, "spec", "bootstrap", "initdb", "secret", "name") or f"{cluster_name}-app"
        for var, key in (("SPRING_DATASOURCE_USERNAME", "username"), ("SPRING_DATASOURCE_PASSWORD", "password")):
            if var not in env:
                continue
            var_path, entry = env[var]
            ref = dig(entry, "valueFrom", "secretKeyRef")
            if isinstance(ref, dict):
                if ref.get("name") != app_secret or ref.get("key") not in (key, "user" if key == "username" else key):
                    yield finding(tree, doc, var_path, f"{var} must come from {app_secret}/{key}", rule=ID)
            elif var == "SPRING_DATASOURCE_USERNAME" and entry.get("value") != owner:
                yield finding(tree, doc, var_path, f"{var} {entry.get('value')!r} is not the owner {owner!r}", rule=ID)
