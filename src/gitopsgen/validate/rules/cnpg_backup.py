"""cnpg-backup: every production database is backed up, through objects that exist.

CloudNativePG deletes the PVCs with the Cluster and a replica is no backup; from 1.26 the
in-tree `backup.barmanObjectStore` is deprecated in favour of the Barman Cloud plugin (CNPG-I).
Checked in every environment:

* a `plugins[]` entry `barman-cloud.cloudnative-pg.io` names, in `parameters.barmanObjectName`,
  a Barman Cloud `ObjectStore` of the same namespace; the tree installs the `plugin-barman-cloud`
  chart into the namespace of the `cloudnative-pg` chart (standalone plugins are discovered in the
  operator's namespace, CNPG docs cnpg_i.md) and cert-manager, which the plugin chart needs
  "installed and ready" (warnings when either is missing: it may be installed outside the tree);
* an `ObjectStore`'s `s3Credentials` references resolve to Secrets an ExternalSecret creates in
  its namespace, with those keys;
* a `ScheduledBackup` targets a rendered Cluster of its namespace, with a method that Cluster can
  run: `plugin` needs that plugin enabled on it, `volumeSnapshot` its `backup.volumeSnapshot`, the
  default `barmanObjectStore` its (deprecated) `backup.barmanObjectStore`;
* `backup.barmanObjectStore` itself is a warning (deprecated since CloudNativePG 1.26).

In a production tree (AppProject labelled `gitopsgen.io/tier: production`) every Cluster has a
backup target (a WAL-archiving plugin, `backup.volumeSnapshot` or `backup.barmanObjectStore`) and
a ScheduledBackup.

Upstream: cloudnative-pg v1.30.0 docs/src/backup.md, appendixes/backup_volumesnapshot.md,
cnpg_i.md, api/v1 ScheduledBackupSpec (`method`, default barmanObjectStore); plugin-barman-cloud
v0.13.0 (plugin name, ObjectStore CRD); plugin-barman-cloud chart 0.7.0 README (cert-manager
first).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig, known_secrets

ID = "cnpg-backup"


def _plugins(cluster: Manifest) -> dict[str, tuple[int, dict[str, object]]]:
    """Enabled plugins of a Cluster by name, with their index."""
    found = {}
    for i, plugin in enumerate(dig(cluster.data, "spec", "plugins", default=[]) or []):
        if isinstance(plugin, dict) and isinstance(plugin.get("name"), str) and plugin.get("enabled", True):
            found[plugin["name"]] = (i, plugin)
    return found


def check(tree: RenderedTree) -> Iterator[Finding]:
    clusters = {(d.ident.namespace, d.ident.name): d for d in tree.manifests("Cluster", domain.CNPG_API_VERSION)}
    stores = {(d.ident.namespace, d.ident.name): d for d in tree.manifests("ObjectStore", domain.BARMAN_API_VERSION)}
    schedules = list(tree.manifests("ScheduledBackup", domain.CNPG_API_VERSION))
    for cluster in clusters.values():
        yield from _cluster(tree, cluster, stores)
    for store in stores.values():
        yield from _credentials(tree, store)
    scheduled = set()
    for schedule in schedules:
        target = clusters.get((schedule.ident.namespace, dig(schedule.data, "spec", "cluster", "name")))
        if target is None:
            yield Finding(("spec", "cluster"), f"names no Cluster of namespace {schedule.ident.namespace!r}",
                          doc=schedule)
            continue
        scheduled.add((target.ident.namespace, target.ident.name))
        yield from _method(schedule, target)
    if toolkit.production(tree):
        for key, cluster in clusters.items():
            plugins = _plugins(cluster)
            archiver = any(p.get("isWALArchiver") for _, p in plugins.values())
            backed_up = archiver or dig(cluster.data, "spec", "backup", "volumeSnapshot") is not None or \
                dig(cluster.data, "spec", "backup", "barmanObjectStore") is not None
            if not backed_up:
                yield Finding(("spec",), "a production database without backups: CloudNativePG deletes the "
                              "PVCs with the Cluster",
                              hint="add the Barman Cloud plugin as WAL archiver (plugins[]) or backup.volumeSnapshot",
                              doc=cluster)
            elif key not in scheduled:
                yield Finding(("spec",), "a production database without a ScheduledBackup: only WAL is "
                              "archived, no base backup is ever taken", hint="render a ScheduledBackup for it",
                              doc=cluster)


def _cluster(tree: RenderedTree, cluster: Manifest,
             stores: dict[tuple[str | None, str], Manifest]) -> Iterator[Finding]:
    if dig(cluster.data, "spec", "backup", "barmanObjectStore") is not None:
        yield Finding(("spec", "backup", "barmanObjectStore"), "the in-tree Barman Cloud support is "
                      "deprecated since CloudNativePG 1.26", severity=Severity.WARNING,
                      hint="use the Barman Cloud plugin: plugins[] + an ObjectStore", doc=cluster)
    found = _plugins(cluster).get(domain.BARMAN_PLUGIN)
    if found is None:
        return
    index, plugin = found
    path = ("spec", "plugins", index)
    name = dig(plugin, "parameters", domain.BARMAN_OBJECT_PARAMETER)
    if (cluster.ident.namespace, name) not in stores:
        yield Finding((*path, "parameters") if name else path,
                      f"barmanObjectName {name!r} is no ObjectStore of namespace {cluster.ident.namespace!r}",
                      hint="render a barmancloud.cnpg.io/v1 ObjectStore with that name", doc=cluster)
    plugin_app = toolkit.chart_application(tree, "plugin-barman-cloud")
    operator_app = toolkit.chart_application(tree, "cloudnative-pg")
    if plugin_app is None:
        yield Finding(path, "uses the Barman Cloud plugin but no Application installs it",
                      severity=Severity.WARNING, hint="install chart plugin-barman-cloud (after cert-manager)",
                      doc=cluster)
    elif operator_app is not None:
        plugin_ns = dig(plugin_app[0].data, "spec", "destination", "namespace")
        operator_ns = dig(operator_app[0].data, "spec", "destination", "namespace")
        if plugin_ns != operator_ns:
            yield Finding(("spec", "destination", "namespace"),
                          f"the Barman Cloud plugin runs in {plugin_ns!r}, the CloudNativePG operator in "
                          f"{operator_ns!r}: the operator only discovers plugins in its own namespace",
                          doc=plugin_app[0])
    if plugin_app is not None and toolkit.chart_application(tree, "cert-manager") is None:
        yield Finding(("spec",), "the Barman Cloud plugin needs cert-manager, which no Application "
                      "installs", severity=Severity.WARNING, hint="install chart cert-manager in an earlier wave",
                      doc=plugin_app[0])


def _credentials(tree: RenderedTree, store: Manifest) -> Iterator[Finding]:
    secrets = known_secrets(tree)
    credentials = dig(store.data, "spec", "configuration", "s3Credentials", default={}) or {}
    for field, ref in credentials.items():
        if not isinstance(ref, dict) or "name" not in ref:
            continue
        secret = secrets.get((store.ident.namespace, str(ref.get("name"))))
        path = ("spec", "configuration", "s3Credentials", field)
        if secret is None:
            yield Finding(path, f"Secret {ref.get('name')!r} is not created by any ExternalSecret in "
                          f"namespace {store.ident.namespace!r}", doc=store)
        elif ref.get("key") not in secret.keys:
            yield Finding((*path, "key"), f"Secret {ref.get('name')!r} has no key {ref.get('key')!r}",
                          hint=f"its keys: {', '.join(sorted(secret.keys))}", doc=store)


def _method(schedule: Manifest, cluster: Manifest) -> Iterator[Finding]:
    method = dig(schedule.data, "spec", "method", default="barmanObjectStore")
    if method == "plugin":
        wanted = dig(schedule.data, "spec", "pluginConfiguration", "name")
        if wanted not in _plugins(cluster):
            yield Finding(("spec", "pluginConfiguration") if wanted else ("spec", "method"),
                          f"method plugin with plugin {wanted!r}, which Cluster {cluster.ident.name!r} does not enable",
                          doc=schedule)
    elif method == "volumeSnapshot":
        if dig(cluster.data, "spec", "backup", "volumeSnapshot") is None:
            yield Finding(("spec", "method"), f"method volumeSnapshot, but Cluster {cluster.ident.name!r} "
                          "has no backup.volumeSnapshot", doc=schedule)
    elif dig(cluster.data, "spec", "backup", "barmanObjectStore") is None:
        yield Finding(("spec", "method") if "method" in (schedule.data.get("spec") or {}) else ("spec",),
                      f"method {method} (the default), but Cluster {cluster.ident.name!r} has no "
                      "backup.barmanObjectStore", hint="set method: plugin and pluginConfiguration.name", doc=schedule)
