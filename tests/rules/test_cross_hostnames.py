"""cross-hostnames: no two environments serve the same hostname."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_hostnames
from kit import assert_cross_findings, line_with, mutate, renamed

INGRESS = "manifests/example-api/ingress.yaml"
ROUTE = "manifests/example-api/httproute.yaml"
GATEWAY = "manifests/gateway/gateway.yaml"


def test_a_route_host_served_twice_is_flagged_in_the_later_environment(rendered: dict[str, RenderedTree]) -> None:
    stg = renamed(rendered["prd"], "stg")
    found = assert_cross_findings(cross_hostnames, [rendered["dev"], rendered["prd"], stg],
                                  [(f"rendered/stg/{ROUTE}", line_with(stg, ROUTE, "- api.example.com"))])
    assert f"rendered/prd/{ROUTE}:{line_with(rendered['prd'], ROUTE, '- api.example.com')}" in found[0].message


def test_a_gateway_listener_host_counts_when_no_route_names_it(rendered: dict[str, RenderedTree]) -> None:
    stg = mutate(renamed(rendered["prd"], "stg"), ROUTE, lambda r: r["spec"].update(hostnames=["api-stg.example.com"]),
                 doc=0)
    assert_cross_findings(cross_hostnames, [rendered["prd"], stg],
                          [(f"rendered/stg/{GATEWAY}", line_with(stg, GATEWAY, "hostname: api.example.com"))])


def test_hosts_of_their_own_and_case_are_handled(rendered: dict[str, RenderedTree]) -> None:
    def rehost(host: str) -> object:
        return lambda docs: (docs[0]["spec"]["listeners"][0].update(hostname=host))

    stg = renamed(rendered["prd"], "stg")
    own = mutate(mutate(stg, ROUTE, lambda r: r["spec"].update(hostnames=["api-stg.example.com"]), doc=0),
                 GATEWAY, rehost("api-stg.example.com"))
    assert_cross_findings(cross_hostnames, [rendered["dev"], rendered["prd"], own], [])
    upper = mutate(own, ROUTE, lambda r: r["spec"].update(hostnames=["API.example.com"]), doc=0)
    assert_cross_findings(cross_hostnames, [rendered["prd"], upper],
                          [(f"rendered/stg/{ROUTE}", line_with(upper, ROUTE, "- API.example.com"))])


def test_ingress_hosts_collide_too(rendered_ingress_nginx: dict[str, RenderedTree]) -> None:
    prd = rendered_ingress_nginx["prd"]
    stg = renamed(prd, "stg")
    assert_cross_findings(cross_hostnames, [prd, stg], [(f"rendered/stg/{INGRESS}", line_with(stg, INGRESS, "host:"))])
