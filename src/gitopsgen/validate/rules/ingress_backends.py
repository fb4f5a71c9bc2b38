"""ingress-backends: Ingresses reach a rendered Service through the right IngressClass.

Facts: docs/components.md §9.

* `spec.ingressClassName` is set and, when ingress-nginx values are rendered, equals their
  `controller.ingressClassResource.name`: with `watchIngressWithoutClass: false` the controller
  ignores Ingresses of any other (or no) class (docs/components.md §9).
* Every backend `service.name` is a Service rendered in the Ingress's namespace, and its
  `port.number` / `port.name` is one of that Service's ports; otherwise ingress-nginx answers 503.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, values_doc

ID = "ingress-backends"


def check(tree: RenderedTree) -> Iterator[Finding]:
    values = values_doc(tree, "ingress-nginx")
    served = dig(values.data, "controller", "ingressClassResource", "name") if values else None
    for doc in tree.manifests("Ingress"):
        class_name = dig(doc.data, "spec", "ingressClassName")
        if not class_name:
            yield Finding(("spec",), "ingressClassName is not set", doc=doc)
        elif served is not None and class_name != served:
            yield Finding(("spec", "ingressClassName"), f"ingressClassName {class_name!r} is not the "
                          f"class ingress-nginx serves ({served!r})", doc=doc)
        for path, backend in _backends(doc):
            yield from _resolve(tree, doc, path, backend)


def _backends(doc: Manifest) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    default = dig(doc.data, "spec", "defaultBackend", "service")
    if isinstance(default, dict):
        yield ("spec", "defaultBackend", "service"), default
    for i, rule in enumerate(dig(doc.data, "spec", "rules", default=[]) or []):
        for j, item in enumerate(dig(rule, "http", "paths", default=[]) or []):
            service = dig(item, "backend", "service")
            if isinstance(service, dict):
                yield ("spec", "rules", i, "http", "paths", j, "backend", "service"), service


def _resolve(tree: RenderedTree, doc: Manifest, path: tuple[str | int, ...],
             backend: dict[str, Any]) -> Iterator[Finding]:
    ns = doc.ident.namespace
    service = tree.get("Service", str(backend.get("name")), ns)
    if service is None:
        yield Finding((*path, "name"), f"Service {backend.get('name')!r} is not rendered in namespace "
                      f"{ns!r}", doc=doc)
        return
    ports = [p for p in dig(service.data, "spec", "ports", default=[]) or [] if isinstance(p, dict)]
    number, name = dig(backend, "port", "number"), dig(backend, "port", "name")
    if (number is not None and all(p.get("port") != number for p in ports)) or \
            (name is not None and all(p.get("name") != name for p in ports)):
        yield Finding((*path, "port"), f"port {number or name!r} is not a port of Service "
                      f"{backend.get('name')!r}",
                      hint="its ports: " + ", ".join(f"{p.get('name')}/{p.get('port')}" for p in ports), doc=doc)
