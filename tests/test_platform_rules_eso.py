"""ESO and Secret-reference rules (DOMAIN X1, X2, X5, X6, X15): silent on the real trees, and
firing at the right file:line on a mutated copy."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.manifests import RenderedTree
from gitopsgen.validate import rules
from gitopsgen.validate.rules import eso_doppler_keys, eso_doppler_token, eso_store_ref, secrets_refs_resolve
from platform_support import errors, find_env, line_with, mutate, where, with_file

STORE = "manifests/secret-store/cluster-secret-store.yaml"
REDIS_ES = "manifests/secrets/redis-auth.yaml"
API = "manifests/example-api/deployment.yaml"
PLATFORM_IDS = {
    "eso-store-ref", "eso-doppler-token", "eso-doppler-keys", "secret-refs-resolve", "redis-secret-wiring",
    "redis-sentinel-refs", "redis-sentinel-quorum", "redis-app-connection", "redis-master-service",
    "redis-operator-labels", "images-pinned", "cnpg-cluster", "cnpg-datasource", "cloudflared-config",
    "cloudflared-wiring", "edge-tunnel-routes", "edge-dns-annotations", "external-dns-values", "ingress-backends",
    "edge-tailscale", "no-secret-values",
}
PLATFORM_RULES = [m for m in rules.all_rules() if m.ID in PLATFORM_IDS]


def test_every_platform_rule_is_registered() -> None:
    assert {m.ID for m in PLATFORM_RULES} == PLATFORM_IDS


@pytest.mark.parametrize("env", ["dev", "prd"])
@pytest.mark.parametrize("module", PLATFORM_RULES, ids=lambda m: m.ID)
def test_platform_rule_is_silent_on_the_real_tree(rendered: dict[str, RenderedTree], env: str, module: Any) -> None:
    assert [p.format() for p in errors(module, rendered[env])] == []


def test_every_platform_rule_documents_itself_and_cites_domain() -> None:
    for module in PLATFORM_RULES:
        assert module.__doc__ and module.__doc__.startswith(f"{module.ID}:"), module.__name__
        assert "DOMAIN" in module.__doc__, module.__name__


def test_store_ref_rule_flags_unserved_api_version_at_line_one(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS_ES, lambda d: d[0].update(apiVersion="external-secrets.io/v1beta1"))
    assert where(errors(eso_store_ref, tree)) == [(f"rendered/prd/{REDIS_ES}", 1)]


def test_store_ref_rule_flags_a_namespaced_store_kind(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], REDIS_ES, lambda d: d[0]["spec"]["secretStoreRef"].update(kind="SecretStore"))
    assert where(errors(eso_store_ref, tree)) == [(f"rendered/dev/{REDIS_ES}", line_with(tree, REDIS_ES,
                                                                                         "kind: SecretStore"))]


def test_store_ref_rule_flags_an_unknown_store_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], REDIS_ES, lambda d: d[0]["spec"]["secretStoreRef"].update(name="vault"))
    found = errors(eso_store_ref, tree)
    assert where(found) == [(f"rendered/prd/{REDIS_ES}", line_with(tree, REDIS_ES, "name: vault"))]
    assert found[0].hint == "rendered stores: doppler"


def _token(docs: list[Any]) -> dict[str, Any]:
    return docs[0]["spec"]["provider"]["doppler"]["auth"]["secretRef"]["dopplerToken"]  # type: ignore[no-any-return]


def test_doppler_token_rule_requires_the_token_namespace(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], STORE, lambda d: _token(d).pop("namespace"))
    found = errors(eso_doppler_token, tree)
    assert where(found) == [(f"rendered/prd/{STORE}", line_with(tree, STORE, "dopplerToken:"))]
    assert "requires namespace" in found[0].message


def test_doppler_token_rule_requires_a_token_name(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], STORE, lambda d: _token(d).update(name=""))
    assert [p.message.split(" (")[0] for p in errors(eso_doppler_token, tree)] == ["dopplerToken.name cannot be empty"]


def test_doppler_key_rule_flags_a_lowercase_remote_key(rendered: dict[str, RenderedTree]) -> None:
    def lower(docs: list[Any]) -> None:
        docs[0]["spec"]["data"][0]["remoteRef"]["key"] = "redis-password"

    tree = mutate(rendered["prd"], REDIS_ES, lower)
    assert where(errors(eso_doppler_keys, tree)) == [(f"rendered/prd/{REDIS_ES}",
                                                      line_with(tree, REDIS_ES, "key: redis-password"))]
    transformed = mutate(tree, STORE, lambda d: d[0]["spec"]["provider"]["doppler"].update(nameTransformer="camel"))
    assert errors(eso_doppler_keys, transformed) == []


def _api_env(docs: list[Any], name: str) -> dict[str, Any]:
    return find_env(docs[0]["spec"]["template"]["spec"]["containers"][0], name)


def test_secret_ref_rule_flags_a_key_the_external_secret_does_not_produce(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], API,
                  lambda d: _api_env(d, "AUTH0_CLIENT_SECRET")["valueFrom"]["secretKeyRef"].update(key="AUTH0_SECRET"))
    found = errors(secrets_refs_resolve, tree)
    assert where(found) == [(f"rendered/prd/{API}", line_with(tree, API, "name: AUTH0_CLIENT_SECRET") + 2)]
    assert "has no key 'AUTH0_SECRET'" in found[0].message


def test_secret_ref_rule_flags_a_superuser_secret_cnpg_does_not_create(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], API, lambda d: _api_env(d, "SPRING_DATASOURCE_PASSWORD")["valueFrom"]
                  ["secretKeyRef"].update(name="example-db-superuser"))
    found = errors(secrets_refs_resolve, tree)
    assert where(found) == [(f"rendered/dev/{API}", line_with(tree, API, "name: SPRING_DATASOURCE_PASSWORD") + 2)]
    assert found[0].hint and "enableSuperuserAccess" in found[0].hint
    enabled = mutate(tree, "manifests/data/postgres.yaml", lambda d: d[0]["spec"].update(enableSuperuserAccess=True))
    assert errors(secrets_refs_resolve, enabled) == []


def test_secret_ref_rule_flags_a_secret_volume_without_an_external_secret(rendered: dict[str, RenderedTree]) -> None:
    path = "manifests/cloudflared/deployment.yaml"
    tree = mutate(rendered["prd"], path, lambda d: d[0]["spec"]["template"]["spec"]["volumes"][1]["secret"]
                  .update(secretName="tunnel-creds"))
    found = errors(secrets_refs_resolve, tree)
    assert where(found) == [(f"rendered/prd/{path}", line_with(tree, path, "- key: credentials.json"))]


def test_secret_ref_rule_flags_a_plain_secret_shadowing_an_external_secret(rendered: dict[str, RenderedTree]) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "example-redis-auth",
                                                                 "namespace": "example-prd"}}
    tree = with_file(rendered["prd"], "manifests/data/secret.yaml", [secret])
    assert where(errors(secrets_refs_resolve, tree)) == [("rendered/prd/manifests/data/secret.yaml", 4)]


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


def test_secret_ref_rule_resolves_chart_values_in_the_application_namespace(rendered: dict[str, RenderedTree]) -> None:
    values, app = _external_dns("token")
    tree = with_file(with_file(rendered["prd"], "apps/external-dns.yaml", [app]), "values/external-dns.yaml", [values])
    found = errors(secrets_refs_resolve, tree)
    assert where(found) == [("rendered/prd/values/external-dns.yaml",
                             line_with(tree, "values/external-dns.yaml", "secretKeyRef:"))]
    values, _ = _external_dns("apiToken")
    assert errors(secrets_refs_resolve, with_file(tree, "values/external-dns.yaml", [values])) == []
