"""Cluster facts the spec states instead of guessing: the DNS resolver pods reach under the
default-deny egress policy, and the pod network production must name."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.run.render import render_trees
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from kit import cli, copy_examples, replace_in
from netpol_sim import Pod, egress_allowed

NODE_LOCAL_DNS = "169.254.20.10"  # NodeLocal DNSCache's default listen address
GKE_CLOUD_DNS = "169.254.169.254"  # the metadata server GKE's Cloud DNS answers on
KUBE_DNS = Pod("kube-system", {"k8s-app": "kube-dns"})


def pods_of(tree: RenderedTree, namespace: str) -> list[Pod]:
    """One pod per workload of the app namespace: the API, PostgreSQL instances, Redis and the sentinels."""
    found = [Pod(namespace, {"app.kubernetes.io/name": "example-api"}),
             Pod(namespace, {"cnpg.io/cluster": "example-db"})]
    for doc in tree.manifests():
        if doc.ident.namespace == namespace and doc.ident.group == "redis.redis.opstreelabs.in":
            found.append(Pod(namespace, {"app": doc.ident.name}))
    return found


def resolves(tree: RenderedTree, pod: Pod, resolver: Pod | str) -> bool:
    return all(egress_allowed(tree, pod, resolver, 53, protocol) for protocol in ("UDP", "TCP"))


@pytest.mark.parametrize("env, namespace", [("dev", "example-dev"), ("prd", "example-prd")])
def test_every_pod_reaches_a_node_local_resolver_and_the_dns_pods(rendered: dict[str, RenderedTree], env: str,
                                                                  namespace: str) -> None:
    tree = rendered[env]
    pods = pods_of(tree, namespace)
    assert len(pods) >= 3
    for pod in pods:
        assert resolves(tree, pod, NODE_LOCAL_DNS), pod
        assert resolves(tree, pod, GKE_CLOUD_DNS), pod
        assert resolves(tree, pod, KUBE_DNS), pod
        # the policy is about DNS: the same address on another port stays closed
        assert not egress_allowed(tree, pod, NODE_LOCAL_DNS, 80)


def test_the_resolver_the_spec_names_is_the_one_allowed(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    replace_in(tmp_path / "environments" / "prd.yaml", "network:\n",
               "network:\n  dns:\n    nodeLocalAddresses: [10.96.0.10, 'fd00::a']\n")
    tree = render_trees(tmp_path, ["prd"])[0].tree
    api = Pod("example-prd", {"app.kubernetes.io/name": "example-api"})
    assert resolves(tree, api, "10.96.0.10")
    assert resolves(tree, api, "fd00::a")
    assert not resolves(tree, api, NODE_LOCAL_DNS)
    assert not resolves(tree, api, "10.96.0.11")
    assert resolves(tree, api, KUBE_DNS)


def test_no_node_local_addresses_leaves_only_the_dns_pods(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    replace_in(tmp_path / "environments" / "dev.yaml", "redis:\n",
               "network:\n  dns:\n    nodeLocalAddresses: []\n\nredis:\n")
    tree = render_trees(tmp_path, ["dev"])[0].tree
    api = Pod("example-dev", {"app.kubernetes.io/name": "example-api"})
    assert not resolves(tree, api, NODE_LOCAL_DNS)
    assert resolves(tree, api, KUBE_DNS)


def test_a_node_local_address_must_be_an_address(project: Path) -> None:
    replace_in(project / "environments" / "prd.yaml", "network:\n",
               "network:\n  dns:\n    nodeLocalAddresses: [169.254.20]\n")
    with pytest.raises(SpecError) as caught:
        load(project, "prd")
    [problem] = caught.value.problems
    assert problem.path == "network.dns.nodeLocalAddresses[0]"
    assert "IPv4 or IPv6 address" in problem.message


def production_dev(project: Path) -> Path:
    """dev turned production, with the backup production requires: only the pod network is missing."""
    dev = project / "environments" / "dev.yaml"
    replace_in(dev, "tier: development", "tier: production")
    replace_in(dev, "  storage:\n    size: 5Gi\n", "  storage:\n    size: 5Gi\n  backup:\n    method: volumeSnapshot\n"
               "    className: csi-snapclass\n    online: true\n")
    return dev


def test_production_without_a_pod_network_is_refused(project: Path) -> None:
    dev = production_dev(project)
    replace_in(dev, "redis:\n", "network:\n  apiServerPorts: [443]\n\nredis:\n")
    with pytest.raises(SpecError) as caught:
        load(project, "dev")
    [problem] = caught.value.problems
    assert (problem.path, problem.file) == ("network.podCidr", "environments/dev.yaml")
    lines = dev.read_text().splitlines()
    assert lines[problem.line - 1] == "network:"  # type: ignore[operator]
    assert "required in production" in problem.message


def test_production_with_a_pod_network_renders(project: Path) -> None:
    dev = production_dev(project)
    replace_in(dev, "redis:\n", "network:\n  podCidr: 10.8.0.0/14\n\nredis:\n")
    assert load(project, "dev").model.network.pod_cidr == "10.8.0.0/14"


def test_the_cli_refuses_production_without_a_pod_network_with_exit_2(project: Path) -> None:
    production_dev(project)
    result = cli("render", "dev", cwd=project)
    assert result.returncode == 2
    assert "environments/dev.yaml:1:1: error: network.podCidr: is required in production" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "rendered").exists()
