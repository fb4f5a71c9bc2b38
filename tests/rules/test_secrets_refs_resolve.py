"""secret-refs-resolve: every Secret a workload or chart reads will exist, with that key (DOMAIN X5, X15, X24)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import secrets_refs_resolve
from kit import assert_findings, find_env, findings, line_with, mutate, with_file

API = "manifests/example-api/deployment.yaml"


def _api_env(docs: list[Any], name: str) -> dict[str, Any]:
    return find_env(docs[0]["spec"]["template"]["spec"]["containers"][0], name)


def _external_dns(key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    values = {"provider": {"name": "cloudflare"}, "policy": "sync", "txtOwnerId": "example-prd",
              "env": [{"name": "CF_API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "cloudflare-api-token",
                                                                               "key": key}}}]}
    app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": "external-dns", "namespace": "argocd"},
           "spec": {"project": "default",
                    "sources": [{"repoURL": "https://kubernetes-sigs.github.io/external-dns/",
                                 "chart": "external-dns", "targetRevision": "1.21.1",
                                 "helm": {"valueFiles": ["$values/rendered/prd/values/external-dns.yaml"]}},
                                {"repoURL": "https://example.invalid/repo.git", "ref": "values"}],
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "external-dns"}}}
    return values, app


def test_secret_ref_rule_flags_a_key_the_external_secret_does_not_produce(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API,
                  lambda d: _api_env(d, "AUTH0_CLIENT_SECRET")["valueFrom"]["secretKeyRef"].update(key="AUTH0_SECRET"))
    found = assert_findings(secrets_refs_resolve, tree, [(API, line_with(tree, API, "key: AUTH0_SECRET"))])
    assert "has no key 'AUTH0_SECRET'" in found[0].message


def test_secret_ref_rule_flags_a_superuser_secret_cnpg_does_not_create(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_PASSWORD")["valueFrom"]
                  ["secretKeyRef"].update(name="example-db-superuser"))
    line = line_with(tree, API, "name: example-db-superuser")
    found = assert_findings(secrets_refs_resolve, tree, [(API, line)])
    assert found[0].hint and "enableSuperuserAccess" in found[0].hint
    enabled = mutate(tree, "manifests/data/postgres.yaml", lambda d: d[0]["spec"].update(enableSuperuserAccess=True))
    assert_findings(secrets_refs_resolve, enabled, [])


def test_secret_ref_rule_flags_a_secret_volume_without_an_external_secret(rendered: dict[str, RenderedTree]) -> None:
    path = "manifests/cloudflared/deployment.yaml"
    tree = mutate(rendered["prd"], path, lambda d: d[0]["spec"]["template"]["spec"]["volumes"][1]["secret"]
                  .update(secretName="tunnel-creds"))
    assert_findings(secrets_refs_resolve, tree, [(path, line_with(tree, path, "- key: credentials.json"))])


def test_secret_ref_rule_flags_a_plain_secret_shadowing_an_external_secret(rendered: dict[str, RenderedTree]) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "example-redis-auth",
                                                                 "namespace": "example-prd"}}
    tree = with_file(rendered["prd"], "manifests/data/secret.yaml", [secret])
    assert_findings(secrets_refs_resolve, tree, [("manifests/data/secret.yaml", 4)])


def test_secret_ref_rule_resolves_chart_values_in_the_application_namespace(rendered: dict[str, RenderedTree]) -> None:
    values, app = _external_dns("token")
    tree = with_file(with_file(rendered["prd"], "apps/external-dns.yaml", [app]), "values/external-dns.yaml", [values])
    assert_findings(secrets_refs_resolve, tree, [("values/external-dns.yaml",
                             line_with(tree, "values/external-dns.yaml", "key: token"))])
    values, _ = _external_dns("apiToken")
    assert findings(secrets_refs_resolve, with_file(tree, "values/external-dns.yaml", [values])) == []
