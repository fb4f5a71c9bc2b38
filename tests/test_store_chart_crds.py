"""The packaged schema store holds every CRD the pinned charts install: each CRD of each chart
(upstream files, read from the reference data beside the checkout) is found in the store for
every version it serves, and its group is one `domain.CHART_CRD_GROUPS` names for the chart."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.facts import domain
from gitopsgen.store.locations import default_store
from gitopsgen.tree import yamlio
from store_support import shared

# chart (as pinned in the store's lock) -> folders of the CRDs it installs, and how many
CHART_CRDS: dict[str, tuple[tuple[str, ...], int]] = {
    "external-secrets": (("crds/external-secrets-v2.9.0", "crds-next/external-secrets-v2.9.0-rest"), 25),
    "cloudnative-pg": (("crds/cloudnative-pg-chart-0.29.0",), 11),
    "redis-operator": (("crds/redis-operator-v0.26.0",), 4),
    "plugin-barman-cloud": (("crds/plugin-barman-cloud-v0.13.0",), 1),
    "cert-manager": (("crds-next/cert-manager-v1.21.1",), 6),
    "nginx-gateway-fabric": (("crds-next/nginx-gateway-fabric-v2.6.7",), 11),
}


def installed(folders: tuple[str, ...]) -> list[dict[str, Any]]:
    """The CRDs in `folders` (Helm guard lines around templated CRDs dropped)."""
    found = []
    for folder in folders:
        for path in sorted((shared() / folder).glob("*.yaml")):
            text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("{{"))
            found.extend(d for d in yamlio.load_all(text)
                         if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition")
    return found


def test_every_pinned_chart_is_listed() -> None:
    lock = default_store().lock()
    assert lock is not None
    with_crds = {name for name in lock.charts if name in domain.CHART_CRD_GROUPS}
    assert with_crds == set(CHART_CRDS)


@pytest.mark.parametrize("chart", sorted(CHART_CRDS))
def test_the_store_holds_every_crd_the_chart_installs(chart: str) -> None:
    folders, count = CHART_CRDS[chart]
    crds = installed(folders)
    assert len(crds) == count
    store = default_store()
    missing = []
    for crd in crds:
        spec = crd["spec"]
        group, kind = spec["group"], spec["names"]["kind"]
        assert group in domain.CHART_CRD_GROUPS[chart]
        for version in spec["versions"]:
            if version.get("served") and store.crd(group, version["name"], kind) is None:
                missing.append(f"{kind} {group}/{version['name']}")
    assert missing == []
