"""cross-hostnames: no two environments serve the same hostname."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_hostnames
from kit import assert_cross_findings, line_with, mutate, renamed

INGRESS = "manifests/example-api/ingress.yaml"


def test_a_host_served_twice_is_flagged_in_the_later_environment(rendered: dict[str, RenderedTree]) -> None:
    stg = renamed(rendered["prd"], "stg")
    found = assert_cross_findings(cross_hostnames, [rendered["dev"], rendered["prd"], stg],
                                  [(f"rendered/stg/{INGRESS}", line_with(stg, INGRESS, "host:"))])
    assert f"rendered/prd/{INGRESS}:{line_with(rendered['prd'], INGRESS, 'host:')}" in found[0].message


def test_hosts_of_their_own_and_case_are_handled(rendered: dict[str, RenderedTree]) -> None:
    own = mutate(renamed(rendered["prd"], "stg"), INGRESS,
                 lambda i: i["spec"]["rules"][0].update(host="api-stg.example.com"), doc=0)
    assert_cross_findings(cross_hostnames, [rendered["dev"], rendered["prd"], own], [])
    upper = mutate(own, INGRESS, lambda i: i["spec"]["rules"][0].update(host="API.example.com"), doc=0)
    assert_cross_findings(cross_hostnames, [rendered["prd"], upper],
                          [(f"rendered/stg/{INGRESS}", line_with(upper, INGRESS, "host:"))])
