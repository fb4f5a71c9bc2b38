"""cnpg-cluster: a CloudNativePG Cluster the operator accepts and that behaves.

Facts: docs/components.md §1.

From cloudnative-pg v1.30.0 (api/v1/cluster_defaults.go, internal/webhook/v1/cluster_webhook.go,
docs/src/kubernetes_upgrade.md, monitoring.md):

* `bootstrap.initdb.database` and `.owner` are written explicitly (the webhook silently
  defaults them to `app`, which the API's datasource would then have to match); an
  `initdb.secret` coming from an ExternalSecret must be `kubernetes.io/basic-auth` with
  `username` and `password` keys.
* `storage.size` (or a pvcTemplate storage request) is set and a valid quantity ("Size not
  configured"); `imageName` carries a version tag: not `latest` ("Can't use 'latest' as image
  tag"), not a bare digest ("Can't use just the image sha"), and a PostgreSQL version ("invalid
  version tag"), since the major version is read from it.
* a 1-instance cluster sets `enablePDB: false` (its primary PDB would block every node
  drain; the default is true); `monitoring.enablePodMonitor` is deprecated (warning). Two
  instances get an info note: the replica PDB and the docs' HA examples start at three.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, es_keys, es_target, image_tag

ID = "cnpg-cluster"
QUANTITY = re.compile(r"^(\d+(\.\d+)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$")
VERSION_TAG = re.compile(r"^\d+(\.\d+)*([-_.].*)?$")
INITDB = ("spec", "bootstrap", "initdb")


def check(tree: RenderedTree) -> Iterator[Finding]:
    for doc in tree.manifests("Cluster", domain.CNPG_API_VERSION):
        bootstrap = dig(doc.data, "spec", "bootstrap", default={}) or {}
        if not any(k in bootstrap for k in ("recovery", "pg_basebackup")):
            initdb = dig(doc.data, *INITDB)
            for key in ("database", "owner"):
                if not isinstance(initdb, dict) or not initdb.get(key):
                    yield Finding(INITDB if isinstance(initdb, dict) else ("spec",),
                                  f"bootstrap.initdb.{key} is not set (CloudNativePG defaults it to "
                                  f"'{domain.CNPG_DEFAULT_DATABASE}')", hint="write database and owner explicitly",
                                  doc=doc)
            yield from _initdb_secret(tree, doc)

        size = dig(doc.data, "spec", "storage", "size")
        requested = dig(doc.data, "spec", "storage", "pvcTemplate", "resources", "requests", "storage")
        if size is None and requested is None:
            yield Finding(("spec", "storage") if dig(doc.data, "spec", "storage") else ("spec",),
                          "Size not configured. Please add it, or a storage request in the pvcTemplate.", doc=doc)
        elif size is not None and not (isinstance(size, str) and QUANTITY.match(size)):
            yield Finding(("spec", "storage", "size"), f"Size value isn't valid: {size!r}", doc=doc)

        image = dig(doc.data, "spec", "imageName")
        if isinstance(image, str):
            tag, digest = image_tag(image)
            why = None
            if tag == "latest":
                why = "Can't use 'latest' as image tag as we can't detect upgrades"
            elif tag is None and digest:
                why = "Can't use just the image sha as we can't detect upgrades"
            elif tag is None or not VERSION_TAG.match(tag):
                why = f"invalid version tag {tag!r}: the PostgreSQL major version is read from it"
            if why:
                yield Finding(("spec", "imageName"), why, doc=doc)

        instances = dig(doc.data, "spec", "instances", default=1)
        if instances == 1 and dig(doc.data, "spec", "enablePDB", default=True) is not False:
            where = ("spec", "enablePDB") if "enablePDB" in doc.data["spec"] else ("spec", "instances")
            yield Finding(where,
                          "a single-instance cluster with a PodDisruptionBudget blocks node drains",
                          hint="set enablePDB: false (CloudNativePG docs, kubernetes_upgrade.md)", doc=doc)
        elif instances == 2:
            yield Finding(("spec", "instances"), "2 instances: the docs' HA examples use 3",
                          severity=Severity.INFO, doc=doc)
        if dig(doc.data, "spec", "monitoring", "enablePodMonitor") is True:
            yield Finding(("spec", "monitoring", "enablePodMonitor"), "enablePodMonitor is deprecated",
                          severity=Severity.WARNING,
                          hint="render a PodMonitor selecting cnpg.io/cluster: <name> instead", doc=doc)


def _initdb_secret(tree: RenderedTree, doc: Manifest) -> Iterator[Finding]:
    name = dig(doc.data, *INITDB, "secret", "name")
    if not name:
        return
    for es in tree.manifests("ExternalSecret"):
        if es.ident.namespace != doc.ident.namespace or es_target(es) != name:
            continue
        if dig(es.data, "spec", "target", "template", "type") != "kubernetes.io/basic-auth" or \
                not {"username", "password"} <= es_keys(es):
            yield Finding(("spec", "target"), f"initdb secret {name!r} must be a kubernetes.io/basic-auth "
                          "Secret with username and password", doc=es)
