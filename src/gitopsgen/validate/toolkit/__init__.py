"""The lookups every rule (and the chart-values check) uses on a rendered tree.

Rules import this module, the tree (`gitopsgen.tree.manifests`), `Severity`, and the fact modules
(`gitopsgen.facts.domain`, `gitopsgen.facts.layout`, `gitopsgen.facts.secret_shapes`, `validate.cloudflared`);
never another rule, the derivation (`gitopsgen.context.derive`) or the spec. A rule yields `Finding`s:
the document, the YAML path inside it and the words. The runner (`validate.rules.run`) adds the
rule id, the file shown to users, the line and the object's identity.

Facts behind the lookups (docs/components.md): ESO's effective target name is
`target.name` or the ExternalSecret's name, its keys are `data[].secretKey` plus
`target.template.data` keys (§3); CloudNativePG generates `<cluster>-app` (unless
`bootstrap.initdb.secret` is given) and `<cluster>-superuser` only with
`enableSuperuserAccess: true` (§1); Argo CD Applications deploy the folder of a Git
source's `path`, value files written `$<ref>/rendered/<env>/...` resolve to files of the same
tree, and Helm coalesces values files over the chart's defaults (§7).

The lookups live in themed modules of this package (findings, secrets, workloads, argocd, helm,
edge); rules import them from here.
"""

from __future__ import annotations

from gitopsgen.tree.argocd import (
    Source,
    ValueFile,
    application_for_values,
    applications,
    chart_application,
    chart_namespace,
    charts,
    deployed,
    deployed_kinds,
    parents,
    production,
    resolve,
    self_heals,
    sources,
    sync_options,
    sync_options_of,
    tree_path,
    value_files,
    values_doc,
    values_paths,
    wave,
)
from gitopsgen.tree.yamlio import dig, iter_paths
from gitopsgen.validate.toolkit.edge import (
    cloudflared_config,
    distinct,
    external_dns_annotations,
    ingress_hosts,
    nginx_class,
)
from gitopsgen.validate.toolkit.findings import (
    CrossFinding,
    Finding,
    Site,
    YamlPath,
    collisions,
    name_of,
)
from gitopsgen.validate.toolkit.gateway import (
    data_plane_urls,
    gateways,
    hostname_matches,
    http_routes,
    ngf_class,
    parent_refs,
    route_hosts,
)
from gitopsgen.validate.toolkit.helm import (
    coalesce,
    merged_values,
    overlay,
)
from gitopsgen.validate.toolkit.secrets import (
    KnownSecret,
    es_keys,
    es_target,
    known_secrets,
)
from gitopsgen.validate.toolkit.workloads import (
    WORKLOAD_KINDS,
    Env,
    PodPath,
    by_namespace_and_name,
    containers,
    disruptions_allowed,
    env_map,
    image_tag,
    namespace_labels,
    pod_host,
    pod_spec_path,
    redis_docs,
    replicas,
    secrets_read,
    selects,
    service_name,
    unpinned,
    workloads,
)

__all__ = [
    "WORKLOAD_KINDS",
    "CrossFinding",
    "Env",
    "Finding",
    "KnownSecret",
    "PodPath",
    "Site",
    "Source",
    "ValueFile",
    "YamlPath",
    "application_for_values",
    "applications",
    "by_namespace_and_name",
    "chart_application",
    "chart_namespace",
    "charts",
    "cloudflared_config",
    "coalesce",
    "collisions",
    "containers",
    "data_plane_urls",
    "deployed",
    "deployed_kinds",
    "dig",
    "disruptions_allowed",
    "distinct",
    "env_map",
    "es_keys",
    "es_target",
    "external_dns_annotations",
    "gateways",
    "hostname_matches",
    "http_routes",
    "image_tag",
    "ingress_hosts",
    "iter_paths",
    "known_secrets",
    "merged_values",
    "name_of",
    "namespace_labels",
    "ngf_class",
    "nginx_class",
    "overlay",
    "parent_refs",
    "parents",
    "pod_host",
    "pod_spec_path",
    "production",
    "redis_docs",
    "replicas",
    "resolve",
    "route_hosts",
    "secrets_read",
    "selects",
    "self_heals",
    "service_name",
    "sources",
    "sync_options",
    "sync_options_of",
    "tree_path",
    "unpinned",
    "value_files",
    "values_doc",
    "values_paths",
    "wave",
    "workloads",
]
