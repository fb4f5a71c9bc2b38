"""cross-dns-owner: no two environments' External-DNS own the same records."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cross_dns_owner
from kit import assert_cross_findings, line_with, mutate, renamed

VALUES = "values/external-dns.yaml"


def test_the_same_owner_over_overlapping_domains_is_flagged(rendered: dict[str, RenderedTree]) -> None:
    stg = mutate(renamed(rendered["prd"], "stg"), VALUES, lambda v: v.update(domainFilters=["stg.example.com"]),
                 doc=0)
    found = assert_cross_findings(cross_dns_owner, [rendered["prd"], stg],
                                  [(f"rendered/stg/{VALUES}", line_with(stg, VALUES, "txtOwnerId:"))])
    assert "stg.example.com" in found[0].message
    assert f"rendered/prd/{VALUES}:{line_with(rendered['prd'], VALUES, 'txtOwnerId:')}" in found[0].message


def test_the_same_owner_over_separate_domains_or_another_owner_is_fine(rendered: dict[str, RenderedTree]) -> None:
    apart = mutate(renamed(rendered["prd"], "stg"), VALUES, lambda v: v.update(domainFilters=["example.org"]), doc=0)
    assert_cross_findings(cross_dns_owner, [rendered["prd"], apart], [])
    owner = mutate(renamed(rendered["prd"], "stg"), VALUES, lambda v: v.update(txtOwnerId="example-stg"), doc=0)
    assert_cross_findings(cross_dns_owner, [rendered["prd"], owner], [])
