"""Helm values files: valid for their charts (real upstream values.schema.json), minimal, and
carrying the facts of DOMAIN.md; plus the chart-values validator (gitopsgen.validate.charts)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, validators

from gitopsgen.context.derive import build_context
from gitopsgen.core.problems import Severity
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import charts
from gitopsgen.validate.toolkit import coalesce
from kit import apps, cli, line_with, mutate

ENVS = ["dev", "prd"]
# Values equal to the chart default that a template writes out on purpose (see its comment):
# the design depends on them, and Argo CD needs a non-empty values file.
PINNED_DEFAULTS = {
    "cloudnative-pg": {("crds", "create"), ("config", "clusterWide")},
    "external-secrets": {("installCRDs",)},
    "plugin-barman-cloud": {("crds", "create")},
    "nginx-gateway-fabric": {("nginxGateway", "gatewayClassName")},
}


def _values(tree: RenderedTree, chart: str) -> Any:
    return tree.files[f"values/{chart}.yaml"].documents[0].data


def _chart_apps(tree: RenderedTree) -> dict[str, str]:
    """chart name -> values file path, read from the rendered Applications."""
    out = {}
    for doc in apps(tree).values():
        for source in doc.data["spec"].get("sources", []):
            if "chart" in source:
                out[source["chart"]] = source["helm"]["valueFiles"][0].removeprefix(f"$values/rendered/{tree.env}/")
    return out


def _helm_merge(chart: Any, ours: Any) -> Any:
    """Helm's coalesce, written independently of gitopsgen: our maps merge into the chart's,
    everything else replaces, our nulls delete."""
    if not (isinstance(chart, dict) and isinstance(ours, dict)):
        return copy.deepcopy(ours)
    out = copy.deepcopy(chart)
    for key, value in ours.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _helm_merge(out.get(key), value) if isinstance(out.get(key), dict) else copy.deepcopy(value)
    return out


@pytest.mark.parametrize("env", ENVS)
def test_every_values_file_validates_against_its_charts_upstream_schema(
    rendered: dict[str, RenderedTree], shared_schemas: Path, env: str
) -> None:
    checked = set()
    for chart, path in _chart_apps(rendered[env]).items():
        folder = shared_schemas / "charts" / chart
        if not (folder / "values.schema.json").is_file():
            continue
        schema = json.loads((folder / "values.schema.json").read_text())
        defaults = yaml.safe_load((folder / "values.yaml").read_text())
        ours = yaml.safe_load(rendered[env].files[path].text)  # PyYAML, not our loader
        validator = validators.validator_for(schema, default=Draft7Validator)(schema)
        errors = [
            f"{path}: {list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_helm_merge(defaults, ours))
        ]
        assert errors == []
        checked.add(chart)
    expected = {"cloudnative-pg", "external-secrets", "reloader", "nginx-gateway-fabric"}
    if env == "prd":
        expected |= {"external-dns", "cert-manager", "plugin-barman-cloud"}
    assert checked == expected


@pytest.mark.parametrize("env", ENVS)
def test_chart_values_validator_is_clean_on_the_real_trees(
    rendered: dict[str, RenderedTree], shared_schemas: Path, env: str
) -> None:
    problems = charts.validate_tree(rendered[env], (str(shared_schemas / "charts"),))
    assert [p.format() for p in problems if p.severity > Severity.INFO] == []
    unchecked = {re.search(r"chart (\S+) not checked", p.message).group(1) for p in problems}  # type: ignore[union-attr]
    # no schema upstream (OT redis-operator) or no reference data (tailscale-operator)
    assert unchecked == {"redis-operator"} | ({"tailscale-operator"} if env == "dev" else set())


def _leaves(data: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict) and data:
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*path, k))]
    return [(path, data)]


@pytest.mark.parametrize("env", ENVS)
def test_values_files_hold_only_differences_from_chart_defaults(
    rendered: dict[str, RenderedTree], shared_schemas: Path, env: str
) -> None:
    for chart, path in _chart_apps(rendered[env]).items():
        defaults_file = shared_schemas / "charts" / chart / "values.yaml"
        if not defaults_file.is_file():
            continue
        defaults = yaml.safe_load(defaults_file.read_text())
        for leaf, value in _leaves(yaml.safe_load(rendered[env].files[path].text)):
            default: Any = defaults
            for part in leaf:
                default = default.get(part) if isinstance(default, dict) else None
            if value == default:
                assert leaf in PINNED_DEFAULTS.get(chart, set()), f"{path}: {'.'.join(leaf)} repeats the default"


@pytest.mark.parametrize("env", ENVS)
def test_reloader_reloads_everything_by_annotation(rendered: dict[str, RenderedTree], env: str) -> None:
    watched = {"dev": ["example-dev", "tailscale"], "prd": ["cloudflared", "example-prd", "external-dns"]}[env]
    assert _values(rendered[env], "reloader") == {"reloader": {
        "autoReloadAll": True, "reloadStrategy": "annotations", "watchGlobally": False, "namespaces": watched}}


def test_external_dns_values_follow_domain_and_spec(
    rendered: dict[str, RenderedTree], repo_root: Path, shared_schemas: Path
) -> None:
    context = build_context(load(repo_root, "prd"))
    spec, names = context["spec"], context["names"]
    values = _values(rendered["prd"], "external-dns")
    assert values["provider"] == {"name": "cloudflare"}
    token = names.secrets.cloudflare_api_token
    assert values["env"] == [
        {"name": "CF_API_TOKEN", "valueFrom": {"secretKeyRef": {"name": token.name, "key": token.keys[0]}}}
    ]
    # the Secret must be where the chart runs
    assert apps(rendered["prd"])["external-dns"].data["spec"]["destination"]["namespace"] == token.namespace
    assert values["sources"] == ["gateway-httproute"]
    assert values["policy"] == spec["externalDns"]["policy"]
    assert values["txtOwnerId"] == spec["externalDns"]["txtOwnerId"]
    assert values["domainFilters"] == spec["externalDns"]["domainFilters"]
    assert values["extraArgs"] == [f"--gateway-name={names.ingress.gateway}",
                                   f"--gateway-namespace={names.ingress.namespace}"]
    # chart 1.21.1 ships app 0.21.0, whose annotation prefix is still the alpha one (DOMAIN §6)
    app_version = yaml.safe_load((shared_schemas / "charts" / "external-dns" / "Chart.yaml").read_text())["appVersion"]
    assert tuple(int(x) for x in app_version.split(".")) < (0, 22, 0)
    assert values["annotationPrefix"] == "external-dns.alpha.kubernetes.io/" == spec["externalDns"]["annotationPrefix"]
    assert "external-dns.yaml" not in {p.rpartition("/")[2] for p in rendered["dev"].files}


def test_data_plane_service_is_internal_in_prd_and_on_the_tailnet_in_dev(
    rendered: dict[str, RenderedTree], repo_root: Path
) -> None:
    for env in ENVS:
        assert _values(rendered[env], "nginx-gateway-fabric")["nginx"]["service"] == {"type": "ClusterIP"}
    gateway = "manifests/gateway/gateway.yaml"
    assert "infrastructure" not in rendered["prd"].files[gateway].documents[0].data["spec"]
    hostname = build_context(load(repo_root, "dev"))["spec"]["edge"]["hostname"]
    # NGF copies the Gateway's infrastructure annotations onto the data-plane Service
    assert rendered["dev"].files[gateway].documents[0].data["spec"]["infrastructure"] == {
        "annotations": {"tailscale.com/expose": "true", "tailscale.com/hostname": hostname}}


def test_ingress_nginx_external_dns_reads_ingresses_of_its_class(
    rendered_ingress_nginx: dict[str, RenderedTree]
) -> None:
    values = _values(rendered_ingress_nginx["prd"], "external-dns")
    assert values["sources"] == ["ingress"]
    assert values["extraArgs"] == ["--ingress-class=nginx"]


def test_ingress_controller_service_is_internal_in_prd_and_on_the_tailnet_in_dev(
    rendered_ingress_nginx: dict[str, RenderedTree], repo_root: Path
) -> None:
    rendered = rendered_ingress_nginx
    prd = _values(rendered["prd"], "ingress-nginx")["controller"]["service"]
    assert prd == {"type": "ClusterIP"}
    dev = _values(rendered["dev"], "ingress-nginx")["controller"]["service"]
    hostname = build_context(load(repo_root, "dev"))["spec"]["edge"]["hostname"]
    assert dev == {
        "type": "ClusterIP",
        "annotations": {"tailscale.com/expose": "true", "tailscale.com/hostname": hostname},
    }
    assert re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", hostname)  # a DNS label (DOMAIN X27)


def test_tailscale_operator_reads_the_precreated_oauth_secret(
    rendered: dict[str, RenderedTree], repo_root: Path
) -> None:
    names = build_context(load(repo_root, "dev"))["names"]
    values = _values(rendered["dev"], "tailscale-operator")
    assert "oauth" not in values  # empty oauth values make the chart read Secret operator-oauth
    assert names.secrets.tailscale_oauth.name == "operator-oauth"
    assert names.secrets.tailscale_oauth.keys == ("client_id", "client_secret")
    app = apps(rendered["dev"])["tailscale-operator"].data
    assert app["spec"]["destination"]["namespace"] == names.secrets.tailscale_oauth.namespace
    assert values["operatorConfig"]["hostname"] == "tailscale-operator-dev"


@pytest.mark.parametrize("env", ENVS)
def test_operator_values_scope_and_crds(rendered: dict[str, RenderedTree], repo_root: Path, env: str) -> None:
    namespace = build_context(load(repo_root, env))["spec"]["namespace"]
    two = env == "prd"  # production runs two operator replicas (test_production_availability)
    assert _values(rendered[env], "redis-operator") == {"redisOperator": {"watchNamespace": namespace},
                                                        **({"replicas": 2} if two else {})}
    assert _values(rendered[env], "cloudnative-pg") == {"crds": {"create": True}, "config": {"clusterWide": True},
                                                        **({"replicaCount": 2} if two else {})}
    # production's CRDs outlive an uninstall and a sync that stops rendering them
    protected = {"crds": {"annotations": {"helm.sh/resource-policy": "keep",
                                          "argocd.argoproj.io/sync-options": "Prune=false"}}}
    eso = _values(rendered[env], "external-secrets")
    assert {k: v for k, v in eso.items() if k in ("installCRDs", "crds")} == \
        {"installCRDs": True, **(protected if env == "prd" else {})}


# --- the validator itself ------------------------------------------------------------------------


def test_coalesce_merges_maps_replaces_lists_and_our_null_deletes() -> None:
    chart = {"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": {"f": 1}, "g": None}
    ours = {"a": {"c": [3], "n": {"m": None, "k": 2}}, "d": None, "e": "flat", "h": None}
    assert coalesce(chart, ours) == {"a": {"b": 1, "c": [3], "n": {"k": 2}}, "e": "flat", "g": None}
    assert chart == {"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": {"f": 1}, "g": None}  # inputs untouched


def test_chart_values_error_points_at_the_offending_line(
    rendered: dict[str, RenderedTree], shared_schemas: Path
) -> None:
    tree = mutate(rendered["prd"], "values/external-dns.yaml", lambda v: v.update(policy="always"), doc=0)
    problems = charts.validate_tree(tree, (str(shared_schemas / "charts"),))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert [(p.file, p.line, p.path, p.rule) for p in errors] == [
        (
            "rendered/prd/values/external-dns.yaml",
            line_with(tree, "values/external-dns.yaml", "policy:"),
            "policy",
            "chart-values",
        )
    ]
    assert "'always' is not one of" in errors[0].message


def test_our_null_removes_a_chart_default_before_validation(rendered: dict[str, RenderedTree], tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "reloader"
    chart.mkdir(parents=True)
    (chart / "values.yaml").write_text("image:\n  tag: v1\n  pullPolicy: IfNotPresent\n")
    (chart / "values.schema.json").write_text(
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "properties": {"image": {"type": "object", "required": ["tag"]}},
            }
        )
    )
    tree = mutate(rendered["dev"], "values/reloader.yaml", lambda v: v.update(image={"tag": None}), doc=0)
    problems = charts.validate_tree(tree, (str(tmp_path / "charts"),))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert [(p.file, p.line, p.path) for p in errors] == [
        ("rendered/dev/values/reloader.yaml", line_with(tree, "values/reloader.yaml", "image:"), "image")
    ]
    assert "'tag' is a required property" in errors[0].message
    # without our null the chart default satisfies the schema
    clean = charts.validate_tree(rendered["dev"], (str(tmp_path / "charts"),))
    assert [p for p in clean if p.severity is Severity.ERROR] == []


def test_first_chart_location_wins_and_schema_version_mismatch_warns(
    rendered: dict[str, RenderedTree], shared_schemas: Path, tmp_path: Path
) -> None:
    override = tmp_path / "charts" / "reloader"
    override.mkdir(parents=True)
    (override / "Chart.yaml").write_text("name: reloader\nversion: 9.9.9\n")
    (override / "values.schema.json").write_text(
        json.dumps({"properties": {"reloader": {"properties": {"reloadStrategy": {"enum": ["env-vars"]}}}}})
    )
    locations = (str(tmp_path / "charts"), str(shared_schemas / "charts"))
    problems = charts.validate_tree(rendered["dev"], locations)
    found = {(p.severity, p.file, p.line, p.path) for p in problems if p.severity > Severity.INFO}
    assert found == {
        (
            Severity.WARNING,
            "rendered/dev/apps/reloader.yaml",
            line_with(rendered["dev"], "apps/reloader.yaml", 'targetRevision: "2.2.16"'),
            "spec.sources[0].targetRevision",
        ),
        (
            Severity.ERROR,
            "rendered/dev/values/reloader.yaml",
            line_with(rendered["dev"], "values/reloader.yaml", "reloadStrategy:"),
            "reloader.reloadStrategy",
        ),
    }


def test_values_of_a_ref_outside_the_tree_are_left_to_the_rules(
    rendered: dict[str, RenderedTree], shared_schemas: Path
) -> None:
    def elsewhere(app: Any) -> None:
        app["spec"]["sources"][0]["helm"]["valueFiles"] = ["$values/rendered/prd/values/reloader.yaml"]

    tree = mutate(rendered["dev"], "apps/reloader.yaml", elsewhere, doc=0)
    problems = charts.validate_tree(tree, (str(shared_schemas / "charts"),))
    assert not [p for p in problems if "reloader" in p.file]


def test_no_chart_locations_means_no_chart_findings(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], "values/external-dns.yaml", lambda v: v.update(policy="always"), doc=0)
    assert charts.validate_tree(tree, ()) == []


def test_render_cli_fails_on_invalid_chart_values_by_default(project: Path) -> None:
    """No flags: the chart's values schema comes from the store packaged with gitopsgen."""
    from gitopsgen.run.render import render_trees

    template = project / "templates" / "values" / "external-dns.yaml.j2"
    template.write_text(template.read_text().replace("policy: {{ spec.externalDns.policy }}", "policy: always"))
    checked = cli("render", "prd", "--root", str(project))
    assert checked.returncode == 1
    assert not (project / "rendered" / "prd").exists()
    tree = render_trees(project, ["prd"])[0].tree
    line = line_with(tree, "values/external-dns.yaml", "policy:")
    template_line = next(i for i, row in enumerate(template.read_text().splitlines(), 1) if "policy: always" in row)
    # not written, so the finding is at the template line that wrote it, the rendered line beside it
    assert f"templates/values/external-dns.yaml.j2:{template_line}: error: policy: 'always' is not one of" \
        in checked.stderr
    assert f"rendered as rendered/prd/values/external-dns.yaml:{line} (not written)" in checked.stderr
    assert "[chart-values]" in checked.stderr
