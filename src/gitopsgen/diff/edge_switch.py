"""A diff note for the edge switch: ingress-nginx replaced by NGINX Gateway Fabric, or back.

The field list shows an Application removed and others added; what it does not say is that the
cluster loses one NGINX and gains another in one sync, and in which order: Argo CD prunes the
ingress-nginx Application (the controller, its Service, IngressClass and admission webhook; with
them, the Ingress of the API stops being served) while the new waves install the Gateway API CRDs,
NGINX Gateway Fabric, the Gateway and the HTTPRoute; cloudflared (or the Tailscale proxy) then
points at the new data-plane Service. docs/migrate-ingress-nginx-to-gateway.md says how to run
both during the switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from gitopsgen.diff.model import Entry, Key, Note, Status
from gitopsgen.tree import argocd
from gitopsgen.tree.manifests import make_document

if TYPE_CHECKING:
    from gitopsgen.diff.engine import Indexed

INGRESS_NGINX = "ingress-nginx"
NGF = "nginx-gateway-fabric"
GUIDE = "docs/migrate-ingress-nginx-to-gateway.md"


def _charts(item: Indexed) -> set[str]:
    doc = make_document(item.side.path, item.side.index, item.raw)
    return {s.chart for s in argocd.sources(doc) if s.chart}


def _apps(entries: list[Entry], index: Mapping[Key, Indexed], status: Status, chart: str) -> list[Key]:
    return sorted(e.key for e in entries if e.status is status and e.key.group == "argoproj.io"
                  and e.key.kind == "Application" and e.key in index and chart in _charts(index[e.key]))


def edge_switch(entries: list[Entry], old: Mapping[Key, Indexed], new: Mapping[Key, Indexed]) -> list[Note]:
    notes = []
    for before, after, name_before, name_after in ((INGRESS_NGINX, NGF, "ingress-nginx", "NGINX Gateway Fabric"),
                                                   (NGF, INGRESS_NGINX, "NGINX Gateway Fabric", "ingress-nginx")):
        gone = _apps(entries, old, Status.REMOVED, before)
        come = _apps(entries, new, Status.ADDED, after)
        if gone and come:
            notes.append(Note("edge-switch", (
                f"the edge moves from {name_before} to {name_after}: Argo CD prunes Application "
                f"{', '.join(k.name for k in gone)} (its controller and every route it serves stop) and installs "
                f"{', '.join(k.name for k in come)} in the same sync; the tunnel or tailnet follows the new "
                f"Service. To keep serving during the switch, see {GUIDE}"),
                tuple(str(k) for k in (*gone, *come))))
    return notes
