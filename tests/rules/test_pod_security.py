"""pod-security: every workload in a namespace that enforces a Pod Security Standards level meets it."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import pod_security
from kit import assert_findings, line_with, mutate, with_file

API = "manifests/example-api/deployment.yaml"
MINE = "manifests/mine/deployment.yaml"


def _hand_written(namespace: str, pod: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "mine", "namespace": namespace},
            "spec": {"selector": {"matchLabels": {"app": "mine"}},
                     "template": {"metadata": {"labels": {"app": "mine"}}, "spec": pod}}}


PLAIN = {"containers": [{"name": "web", "image": "nginx:1.27"}]}


def test_the_example_workloads_meet_their_namespaces_levels(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(pod_security, rendered["dev"], [])
    assert_findings(pod_security, rendered["prd"], [])


def test_a_hand_written_deployment_without_a_security_context_breaks_restricted(
        rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["dev"], MINE, [_hand_written("example-dev", PLAIN)])
    found = assert_findings(pod_security, tree, [(MINE, line_with(tree, MINE, "    spec:"))] * 4)  # one per check
    assert all("breaks Pod Security 'restricted' of namespace example-dev" in p.message for p in found)
    for part in ("allowPrivilegeEscalation=false", 'capabilities.drop=["ALL"]', "runAsNonRoot=true",
                 "seccompProfile.type to RuntimeDefault"):
        assert any(part in p.message for p in found), part


def test_the_same_deployment_meets_baseline(rendered: dict[str, RenderedTree]) -> None:
    assert pod_security.violations(PLAIN, "baseline") == []
    assert len(pod_security.violations(PLAIN, "restricted")) == 4


@pytest.mark.parametrize("pod, words", [
    ({**PLAIN, "hostNetwork": True}, "hostNetwork must not be true"),
    ({"containers": [{"name": "c", "securityContext": {"privileged": True}}]}, "privileged=true"),
    ({"containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}]}, "NET_ADMIN"),
    ({**PLAIN, "volumes": [{"name": "root", "hostPath": {"path": "/"}}]}, "hostPath volume(s) 'root'"),
    ({"containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 80}]}]}, "hostPort(s) 80"),
    ({**PLAIN, "securityContext": {"seccompProfile": {"type": "Unconfined"}}}, "must not be Unconfined"),
])
def test_each_baseline_check(pod: dict[str, Any], words: str) -> None:
    [message] = pod_security.violations(pod, "baseline")
    assert words in message


RESTRICTED_OK: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False,
                                                     "capabilities": {"drop": ["ALL"]}}}],
    "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "data", "persistentVolumeClaim": {"claimName": "d"}}],
}


def test_a_restricted_pod_passes_and_each_restricted_check_bites() -> None:
    assert pod_security.violations(RESTRICTED_OK, "restricted") == []
    nfs = {**RESTRICTED_OK, "volumes": [{"name": "share", "nfs": {"server": "x", "path": "/"}}]}
    assert pod_security.violations(nfs, "restricted") == ["volume(s) 'share' have restricted types"]
    root = {**RESTRICTED_OK, "securityContext": {**RESTRICTED_OK["securityContext"], "runAsUser": 0}}
    assert pod_security.violations(root, "restricted") == ["securityContext.runAsUser must not be 0"]
    own_users = {**root, "hostUsers": False}  # its own user namespace: exempt, as upstream
    assert pod_security.violations(own_users, "restricted") == []


def test_a_namespace_without_an_enforced_level_is_not_checked(rendered: dict[str, RenderedTree]) -> None:
    tree = with_file(rendered["dev"], MINE, [_hand_written("nowhere", {**PLAIN, "hostNetwork": True})])
    assert_findings(pod_security, tree, [])


def test_the_example_api_loses_its_security_context(rendered: dict[str, RenderedTree]) -> None:
    def strip(docs: list[Any]) -> None:
        docs[0]["spec"]["template"]["spec"].pop("securityContext")

    tree = mutate(rendered["prd"], API, strip)
    found = assert_findings(pod_security, tree, [(API, line_with(tree, API, "    spec:"))] * 2)
    assert "runAsNonRoot=true" in found[0].message + found[1].message
    assert "seccompProfile" in found[0].message + found[1].message
