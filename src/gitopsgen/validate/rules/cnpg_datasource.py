"""cnpg-datasource: the API's datasource points at the Cluster's primary and its own database.

Facts: docs/components.md §1.

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

from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, env_map, service_name, workloads

ID = "cnpg-datasource"
JDBC = re.compile(r"^jdbc:postgresql://(?P<host>[^:/?]+)(:(?P<port>\d+))?/(?P<db>[^?]+)(\?.*)?$")


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc, _ in workloads(tree):
        env = env_map(doc)
        if "SPRING_DATASOURCE_URL" not in env:
            continue
        url_path, url_entry = env["SPRING_DATASOURCE_URL"]
        url = url_entry.get("value")
        if not isinstance(url, str):
            continue
        path = (*url_path, "value")
        ns = doc.ident.namespace
        match = JDBC.match(url)
        if match is None:
            yield Finding(path, f"{url!r} is not a jdbc:postgresql://host:port/db URL", doc=doc)
            continue
        name, host_ns = service_name(match["host"], ns)
        rw = name.endswith(domain.CNPG_RW_SUFFIX)
        cluster_name = name.removesuffix(domain.CNPG_RW_SUFFIX) if rw else name.rsplit("-", 1)[0]
        cluster = tree.get("Cluster", cluster_name, host_ns)
        if cluster is None or not rw:
            yield Finding(path, f"host {match['host']!r} is not the -rw Service of a rendered "
                          f"CloudNativePG Cluster in namespace {host_ns!r}",
                          hint="use <cluster>-rw: only the primary accepts writes", doc=doc)
            continue
        database = dig(cluster.data, "spec", "bootstrap", "initdb", "database", default=domain.CNPG_DEFAULT_DATABASE)
        owner = dig(cluster.data, "spec", "bootstrap", "initdb", "owner", default=database)
        if int(match["port"] or domain.CNPG_PORT) != domain.CNPG_PORT:
            yield Finding(path, f"port {match['port']} is not PostgreSQL's {domain.CNPG_PORT}", doc=doc)
        if match["db"] != database:
            yield Finding(path, f"database {match['db']!r} differs from the Cluster's initdb.database "
                          f"{database!r}", doc=doc)
        app_secret = dig(cluster.data, "spec", "bootstrap", "initdb", "secret", "name") or (
            cluster_name + domain.CNPG_APP_SECRET_SUFFIX)
        for var, key in (("SPRING_DATASOURCE_USERNAME", "username"), ("SPRING_DATASOURCE_PASSWORD", "password")):
            if var not in env:
                continue
            var_path, entry = env[var]
            ref = dig(entry, "valueFrom", "secretKeyRef")
            if isinstance(ref, dict):
                if ref.get("name") != app_secret or ref.get("key") not in (key, "user" if key == "username" else key):
                    yield Finding(var_path, f"{var} must come from {app_secret}/{key}", doc=doc)
            elif var == "SPRING_DATASOURCE_USERNAME" and entry.get("value") != owner:
                yield Finding(var_path, f"{var} {entry.get('value')!r} is not the owner {owner!r}", doc=doc)
