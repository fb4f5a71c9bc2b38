"""gateway-route-backends: every HTTPRoute backendRef resolves to a port of a rendered Service.

A backendRef NGINX cannot resolve makes the route `ResolvedRefs: False` and NGINX answers 500 for
its requests (Gateway API: "requests that would have been sent to an invalid backend ... MUST
receive a 500 status code"). For every `spec.rules[].backendRefs[]` of kind Service (group `""`,
the defaults):

* the Service is rendered in the route's namespace (or `namespace`, which would also need a
  ReferenceGrant: reported, since the platform renders none);
* `port` is given (required for a Service backend) and is one of that Service's `ports[].port`.

Upstream: kubernetes-sigs/gateway-api v1.5.1 `apis/v1/httproute_types.go` (HTTPBackendRef,
"port is required when the referent is a Kubernetes Service"), `apis/v1/shared_types.go`
(BackendObjectReference).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "gateway-route-backends"


def check(tree: RenderedTree) -> Iterator[Finding]:
    services = toolkit.by_namespace_and_name(tree.manifests("Service"))
    for route in toolkit.http_routes(tree):
        namespace = route.ident.namespace
        for i, rule in enumerate(dig(route.data, "spec", "rules", default=[]) or []):
            refs = rule.get("backendRefs") if isinstance(rule, dict) else None
            for j, ref in enumerate(refs if isinstance(refs, list) else []):
                if not isinstance(ref, dict) or ref.get("group", "") != "" or ref.get("kind", "Service") != "Service":
                    continue
                where = ("spec", "rules", i, "backendRefs", j)
                if ref.get("namespace") not in (None, namespace):
                    yield Finding((*where, "namespace"), f"backend in namespace {ref.get('namespace')!r} "
                                  "needs a ReferenceGrant there, which this tree does not render", doc=route)
                    continue
                service = services.get((namespace, str(ref.get("name"))))
                if service is None:
                    yield Finding((*where, "name"), f"backend Service {ref.get('name')!r} is not rendered "
                                  f"in {namespace!r}: NGINX answers 500",
                                  hint="name a Service of the route's namespace", doc=route)
                    continue
                ports = [p.get("port") for p in dig(service.data, "spec", "ports", default=[]) or []
                         if isinstance(p, dict)]
                if ref.get("port") not in ports:
                    yield Finding((*where, "port") if "port" in ref else where,
                                  f"port {ref.get('port')!r} is not a port of Service {ref.get('name')!r} {ports}",
                                  hint="use one of the Service's `port` numbers (not its targetPort)", doc=route)
