"""argocd-load-balancer-wave: a chart does not wait on a LoadBalancer class a later wave provides.

A Service of `type: LoadBalancer` stays Progressing in Argo CD until its load balancer controller
fills `status.loadBalancer.ingress` (Argo CD's built-in Service health). If a chart's values ask
for `loadBalancerClass: tailscale` but the Tailscale operator's Application sits in a later wave,
the chart's Application never turns Healthy and, with the Application health check that makes
waves wait (docs/operator-manual/health.md), the app-of-apps sync stalls for good: the operator's
wave is never reached. This is the trap of exposing ingress-nginx "Tailscale -> NGINX" with a
Tailscale LoadBalancer while the operator waits for its ExternalSecret-made OAuth Secret
(docs/components.md §8, §7): expose a ClusterIP Service with `tailscale.com/expose: "true"` instead, or move the
operator to the chart's wave or earlier.

The rule reads our values files (the `$values/...` files of each Helm source) for any mapping with
a `loadBalancerClass` in `LOAD_BALANCER_CHARTS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding

ID = "argocd-load-balancer-wave"

# loadBalancerClass -> the chart whose controller serves it (tailscale.com/kb/1236, docs/components.md §8).
LOAD_BALANCER_CHARTS = {"tailscale": "tailscale-operator"}


def _classes(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, class) of every `loadBalancerClass: <string>` in `data`, in document order."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(data, dict | list):
        _collect(data, (), found)
    return found


def _collect(node: dict[Any, Any] | list[Any], path: tuple[str | int, ...],
             found: list[tuple[tuple[str | int, ...], str]]) -> None:
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(value, dict | list):
            _collect(value, (*path, key), found)
        elif key == "loadBalancerClass" and isinstance(value, str) and isinstance(node, dict):
            found.append(((*path, key), value))


def check(tree: RenderedTree) -> Iterator[Finding]:
    apps = list(toolkit.applications(tree))
    for app in apps:
        wave = toolkit.wave(app)
        for value_file in toolkit.value_files(app):
            path = toolkit.resolve(tree, value_file)
            if path is None or wave is None:
                continue
            values = tree.first(path)
            if values is None:
                continue
            for node, lb_class in _classes(values.data):
                chart = LOAD_BALANCER_CHARTS.get(lb_class)
                for provider in apps:
                    provider_wave = toolkit.wave(provider)
                    if chart in toolkit.charts(provider) and provider_wave is not None and provider_wave > wave:
                        yield Finding(
                            node,
                            f"{app.ident.name} (wave {wave}) asks for loadBalancerClass {lb_class}, served by "
                            f"{chart} in the later wave {provider_wave}: the Service stays Progressing "
                            "and the app-of-apps sync waits on it forever",
                            hint="expose a ClusterIP Service (e.g. tailscale.com/expose: \"true\") or "
                                 f"move {chart} to wave {wave} or earlier", doc=values)
