"""external-dns-values: External-DNS is configured for Cloudflare explicitly (DOMAIN X24)."""

from __future__ import annotations

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import external_dns_values
from kit import assert_findings, line_with, with_file


def test_external_dns_values_need_cloudflare_policy_owner_and_token_ref(rendered: dict[str, RenderedTree]) -> None:
    values = {"provider": {"name": "aws"}, "txtOwnerId": "default",
              "env": [{"name": "CF_API_TOKEN", "value": "x"}, {"name": "CF_API_KEY", "value": "y"}]}
    tree = with_file(rendered["prd"], "values/external-dns.yaml", [values])
    path = "values/external-dns.yaml"
    assert_findings(external_dns_values, tree, sorted([
        (path, line_with(tree, "values/external-dns.yaml", "provider:")),
        (path, 1),  # policy missing: reported at the document
        (path, line_with(tree, "values/external-dns.yaml", "txtOwnerId:")),
        (path, line_with(tree, "values/external-dns.yaml", "- name: CF_API_TOKEN")),
        (path, line_with(tree, "values/external-dns.yaml", "- name: CF_API_KEY")),
    ]))
