"""gateway-api-version: NGINX Gateway Fabric runs on the Gateway API CRDs its release supports.

NGF's chart installs its own CRDs but not the Gateway API's; each NGF release is built and
tested against one Gateway API release, the one its `config/crd/gateway-api/standard`
kustomization installs (NGF 2.6.7: Gateway API v1.5.1). CRDs of another release can lack fields
NGF reads or carry versions it does not serve. So in a tree that installs the
`nginx-gateway-fabric` chart:

* an Application installs the Gateway API CRDs from kubernetes-sigs/gateway-api (warning when
  none does: they would have to be installed outside the tree, unordered);
* its `targetRevision` is the Gateway API release of the NGF chart version (`SUPPORTED_PAIRS`);
  an NGF version the table does not know is a warning: check its kustomization before pinning.

Upstream: nginx/nginx-gateway-fabric v2.6.7 `config/crd/gateway-api/standard/kustomization.yaml`
(`github.com/kubernetes-sigs/gateway-api/config/crd?ref=v1.5.1`), charts/nginx-gateway-fabric
README.md (install the Gateway API CRDs first).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import edge_names
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding

ID = "gateway-api-version"


def _repo(url: object) -> str:
    return str(url).removesuffix("/").removesuffix(".git").lower()


def check(tree: RenderedTree) -> Iterator[Finding]:
    found = toolkit.chart_application(tree, edge_names.NGF_CHART)
    if found is None:
        return
    app, source = found
    version = str(source.data.get("targetRevision", ""))
    expected = edge_names.SUPPORTED_PAIRS.get(version)
    crds = [(doc, s) for doc in toolkit.applications(tree) for s in toolkit.sources(doc)
            if _repo(s.data.get("repoURL")) == _repo(edge_names.GATEWAY_API_REPO)]
    if not crds:
        yield Finding((*source.path, "chart"), "NGINX Gateway Fabric is installed but no Application installs "
                      "the Gateway API CRDs it needs", severity=Severity.WARNING,
                      hint=f"sync kubernetes-sigs/gateway-api config/crd at {expected or 'the supported release'}",
                      doc=app)
        return
    if expected is None:
        yield Finding((*source.path, "targetRevision"), f"NGINX Gateway Fabric {version}: which Gateway API "
                      "release it supports is not known here", severity=Severity.WARNING,
                      hint="read config/crd/gateway-api/standard/kustomization.yaml at the NGF tag", doc=app)
        return
    for doc, crd_source in crds:
        revision = crd_source.data.get("targetRevision")
        if revision != expected:
            yield Finding((*crd_source.path, "targetRevision"), f"Gateway API {revision} with NGINX Gateway "
                          f"Fabric {version}, which supports {expected}",
                          hint=f"set ingress.gatewayApiVersion: {expected}, or pin the NGF release made for {revision}",
                          doc=doc)
