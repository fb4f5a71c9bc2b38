"""cross-destinations: no two environments deploy the same cluster-scoped object to one cluster."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_destinations
from kit import assert_cross_findings, cross_findings, line_with, mutate, renamed

NAMESPACES = "manifests/namespaces/namespaces.yaml"
STORE = "manifests/secret-store/cluster-secret-store.yaml"


def _to_cluster(name: str) -> Any:
    def change(app: Any) -> None:
        app["spec"]["destination"] = {"name": name, "namespace": app["spec"]["destination"]["namespace"]}
    return change


def test_environments_on_clusters_of_their_own_share_nothing(rendered: dict[str, RenderedTree]) -> None:
    assert_cross_findings(cross_destinations, [rendered["dev"], rendered["prd"]], [])


def test_a_copy_on_the_same_cluster_owns_the_same_namespaces_and_store(rendered: dict[str, RenderedTree]) -> None:
    stg = renamed(rendered["prd"], "stg")
    found = cross_findings(cross_destinations, [rendered["prd"], stg])
    places = {(p.file, p.line) for p in found}
    assert (f"rendered/stg/{STORE}", line_with(stg, STORE, "name: doppler")) in places
    assert (f"rendered/stg/{NAMESPACES}", line_with(stg, NAMESPACES, "name: example-prd")) in places
    assert len(found) == 1 + len(stg.files[NAMESPACES].documents)
    assert all(p.file.startswith("rendered/stg/") for p in found)


def test_dev_moved_onto_the_prd_cluster_collides_where_both_deploy(rendered: dict[str, RenderedTree]) -> None:
    dev = rendered["dev"]
    for path in [p for p in dev.files if p.startswith("apps/") and p != "apps/project.yaml"]:
        dev = mutate(dev, path, _to_cluster("prd"), doc=0)
    found = cross_findings(cross_destinations, [dev, rendered["prd"]])
    shared = {"cnpg-system", "external-secrets", "nginx-gateway", "redis-operator", "reloader"}
    assert {p.message.split("Namespace ")[-1].rstrip(")") for p in found if "Namespace" in p.message} == shared
    assert any("ClusterSecretStore doppler" in p.message for p in found)
