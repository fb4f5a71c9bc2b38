"""The API server's validation of built-in kinds beyond their schemas (`validate.semantic`): for
every check, a manifest that passes and the same manifest with one field changed that fails,
with upstream's path and words. Then the same through `validate --path` (line and rule)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitopsgen.run import validate as validation
from gitopsgen.tree import yamlio
from gitopsgen.validate import semantic

VERSION = "1.33"


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {
            "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
            "template": {"metadata": {"labels": {"app": "web", "tier": "front"}}, "spec": {
                "initContainers": [{"name": "init", "image": "busybox"}],
                "containers": [{
                    "name": "web", "image": "nginx",
                    "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
                    "env": [{"name": "MODE", "value": "fast"}],
                    "resources": {"requests": {"cpu": "500m", "memory": "64Mi"},
                                  "limits": {"cpu": 1, "memory": "128Mi"}},
                    "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10},
                    "readinessProbe": {"tcpSocket": {"port": 8080}},
                }],
                "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}],
            }},
        },
    }


def doc(kind: str) -> dict[str, Any]:
    docs: dict[str, dict[str, Any]] = {
        "Deployment": deployment(),
        "StatefulSet": {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {
            "replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}},
                         "spec": {"containers": [{"name": "db", "image": "pg"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                      "spec": {"resources": {"requests": {"storage": "1Gi"}}}}]}},
        "Job": {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {
            "backoffLimit": 3, "template": {"spec": {"restartPolicy": "Never",
                                                     "containers": [{"name": "j", "image": "busybox"}]}}}},
        "CronJob": {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {
            "schedule": "*/5 * * * *", "successfulJobsHistoryLimit": 1, "jobTemplate": {"spec": {"template": {
                "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}},
        "Service": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}, {"name": "tls", "port": 443}]}},
        "PodDisruptionBudget": {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"},
                                "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}},
        "NetworkPolicy": {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"},
                          "spec": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In",
                                                                         "values": ["web"]}]},
                                   "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8",
                                                                      "except": ["10.1.0.0/16"]}}],
                                                "ports": [{"port": 8000, "endPort": 8080}]}]}},
        "ConfigMap": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                      "data": {"app.conf": "x", "KEY_NAME": "y"}, "binaryData": {"logo.png": "AA=="}},
        "Secret": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"token": "x"}},
        "Ingress": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}, "spec": {
            "tls": [{"hosts": ["*.example.com"], "secretName": "tls"}],
            "rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                "service": {"name": "web", "port": {"number": 80}}}}]}}]}},
        "ClusterRoleBinding": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                               "metadata": {"name": "b"},
                               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                           "name": "system:auth-delegator"},
                               "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "app"},
                                            {"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}]},
        "HorizontalPodAutoscaler": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                    "metadata": {"name": "h"}, "spec": {
                                        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "w"},
                                        "minReplicas": 2, "maxReplicas": 5}},
    }
    return docs[kind]


def setter(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return change


def deleter(*path: str | int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
    return change


C = ("spec", "template", "spec", "containers", 0)
CASES: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
    # (kind, case, change, dotted path, message fragment)
    ("Deployment", "negative replicas", setter("spec", "replicas", value=-1), "spec.replicas",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Deployment", "selector not matching", setter("spec", "template", "metadata", "labels", value={"app": "api"}),
     "spec.template.metadata.labels", "`selector` does not match template `labels`"),
    ("Deployment", "empty selector", setter("spec", "selector", value={}), "spec.selector",
     "empty selector is invalid for deployment"),
    ("Deployment", "container name", setter(*C, "name", value="API"), "spec.template.spec.containers[0].name",
     "a lowercase RFC 1123 label must consist of"),
    ("Deployment", "container name across init", setter(*C, "name", value="init"),
     "spec.template.spec.containers[0].name", 'Duplicate value: "init"'),
    ("Deployment", "container port range", setter(*C, "ports", 0, "containerPort", value=70000),
     "spec.template.spec.containers[0].ports[0].containerPort", "must be between 1 and 65535, inclusive"),
    ("Deployment", "port name duplicate", setter(*C, "ports", 1, "name", value="http"),
     "spec.template.spec.containers[0].ports[1].name", 'Duplicate value: "http"'),
    ("Deployment", "env name", setter(*C, "env", 0, "name", value="A=B"),
     "spec.template.spec.containers[0].env[0].name", "printable ASCII characters other than '='"),
    ("Deployment", "quantity syntax", setter(*C, "resources", "requests", "cpu", value="500 m"),
     "spec.template.spec.containers[0].resources.requests.cpu", "quantities must match the regular expression"),
    ("Deployment", "request above limit", setter(*C, "resources", "requests", "memory", value="1Gi"),
     "spec.template.spec.containers[0].resources.requests", "must be less than or equal to memory limit of 128Mi"),
    ("Deployment", "probe without handler", deleter(*C, "livenessProbe", "httpGet"),
     "spec.template.spec.containers[0].livenessProbe", "Required value: must specify a handler type"),
    ("Deployment", "probe with two handlers", setter(*C, "readinessProbe", "exec", value={"command": ["true"]}),
     "spec.template.spec.containers[0].readinessProbe.tcpSocket", "may not specify more than 1 handler type"),
    ("Deployment", "negative probe timing", setter(*C, "livenessProbe", "periodSeconds", value=-5),
     "spec.template.spec.containers[0].livenessProbe.periodSeconds", "must be greater than or equal to 0"),
    ("Deployment", "emptyDir size", setter("spec", "template", "spec", "volumes", 0, "emptyDir", "sizeLimit",
                                           value="1 Gi"),
     "spec.template.spec.volumes[0].emptyDir.sizeLimit", "quantities must match"),
    ("Deployment", "selector operator", setter("spec", "selector", value={
        "matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In"}]}),
     "spec.selector.matchExpressions[0].values", "must be specified when `operator` is 'In' or 'NotIn'"),
    ("Deployment", "maxSurge percent", setter("spec", "strategy", "rollingUpdate", "maxSurge", value="150%"),
     "spec.strategy.rollingUpdate.maxSurge", "must not be greater than 100%"),
    ("Deployment", "both zero", setter("spec", "strategy", "rollingUpdate", "maxSurge", value=0),
     "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0"),
    ("StatefulSet", "negative replicas", setter("spec", "replicas", value=-2), "spec.replicas",
     "must be greater than or equal to 0"),
    ("StatefulSet", "claim quantity", setter("spec", "volumeClaimTemplates", 0, "spec", "resources", "requests",
                                             "storage", value="1GB"),
     "spec.volumeClaimTemplates[0].spec.resources.requests.storage", "quantities must match"),
    ("Job", "restart policy", setter("spec", "template", "spec", "restartPolicy", value="Always"),
     "spec.template.spec.restartPolicy", 'Unsupported value: "Always"'),
    ("Job", "negative backoff", setter("spec", "backoffLimit", value=-1), "spec.backoffLimit",
     "must be greater than or equal to 0"),
    ("CronJob", "negative history", setter("spec", "successfulJobsHistoryLimit", value=-1),
     "spec.successfulJobsHistoryLimit", "must be greater than or equal to 0"),
    ("Service", "port range", setter("spec", "ports", 0, "port", value=70000), "spec.ports[0].port",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("Service", "unnamed port of several", deleter("spec", "ports", 1, "name"), "spec.ports[1].name",
     "Required value"),
    ("Service", "target port name", setter("spec", "ports", 0, "targetPort", value="HTTP_port"),
     "spec.ports[0].targetPort", "must contain only alpha-numeric characters"),
    ("Service", "selector label value", setter("spec", "selector", value={"app": "web app"}), "spec.selector.app",
     "a valid label must be an empty string or consist of"),
    ("PodDisruptionBudget", "both set", setter("spec", "maxUnavailable", value=1), "spec",
     "minAvailable and maxUnavailable cannot be both set"),
    ("PodDisruptionBudget", "bad percent", setter("spec", "minAvailable", value="50"), "spec.minAvailable",
     "a valid percent string must be a numeric string followed by an ending '%'"),
    ("NetworkPolicy", "cidr", setter("spec", "ingress", 0, "from", 0, "ipBlock", "cidr", value="10.0.0.0/33"),
     "spec.ingress[0].from[0].ipBlock.cidr", "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
    ("NetworkPolicy", "except outside", setter("spec", "ingress", 0, "from", 0, "ipBlock", "except",
                                               value=["192.168.0.0/16"]),
     "spec.ingress[0].from[0].ipBlock.except[0]", "must be a strict subset of `cidr`"),
    ("NetworkPolicy", "endPort below port", setter("spec", "ingress", 0, "ports", 0, "endPort", value=80),
     "spec.ingress[0].ports[0].endPort", "must be greater than or equal to `port`"),
    ("NetworkPolicy", "selector operator", setter("spec", "podSelector", "matchExpressions", 0, "operator",
                                                  value="Equals"),
     "spec.podSelector.matchExpressions[0].operator", "not a valid selector operator"),
    ("ConfigMap", "key syntax", setter("data", "bad key!", value="x"), "data.bad key!",
     "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"),
    ("ConfigMap", "key in both", setter("data", "logo.png", value="x"), "data.logo.png",
     "duplicate of key present in binaryData"),
    ("Secret", "key syntax", setter("stringData", "..secret", value="x"), "stringData...secret",
     "must not start with '..'"),
    ("Ingress", "backend port", setter("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port", "number",
                                       value=0),
     "spec.rules[0].http.paths[0].backend.service.port.number", "must be between 1 and 65535, inclusive"),
    ("Ingress", "host", setter("spec", "rules", 0, "host", value="Shop.example.com"), "spec.rules[0].host",
     "a lowercase RFC 1123 subdomain"),
    ("Ingress", "host is an IP", setter("spec", "tls", 0, "hosts", 0, value="10.0.0.1"), "spec.tls[0].hosts[0]",
     "must be a DNS name, not an IP address"),
    ("Ingress", "relative path", setter("spec", "rules", 0, "http", "paths", 0, "path", value="api"),
     "spec.rules[0].http.paths[0].path", "must be an absolute path"),
    ("ClusterRoleBinding", "role kind", setter("roleRef", "kind", value="Role"), "roleRef.kind",
     'Unsupported value: "Role": supported values: "ClusterRole"'),
    ("ClusterRoleBinding", "service account namespace", deleter("subjects", 0, "namespace"), "subjects[0].namespace",
     "Required value"),
    ("ClusterRoleBinding", "subject kind", setter("subjects", 1, "kind", value="Team"), "subjects[1].kind",
     'Unsupported value: "Team"'),
    ("HorizontalPodAutoscaler", "max below min", setter("spec", "maxReplicas", value=1), "spec.maxReplicas",
     "must be greater than or equal to `minReplicas`"),
]


def findings(data: dict[str, Any], version: str = VERSION) -> list[tuple[str, str]]:
    from gitopsgen.core.problems import dotted

    return [(dotted(f.path), f.message) for f in semantic.check(data, version)]


@pytest.mark.parametrize("kind", sorted({c[0] for c in CASES}))
def test_the_valid_manifest_passes(kind: str) -> None:
    assert findings(doc(kind)) == []


@pytest.mark.parametrize(("kind", "case", "change", "path", "words"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_one_change_fails_with_upstream_words(kind: str, case: str, change: Callable[[dict[str, Any]], None],
                                              path: str, words: str) -> None:
    data = copy.deepcopy(doc(kind))
    change(data)
    found = findings(data)
    assert any(p == path and words in m for p, m in found), found


def test_env_names_follow_the_version() -> None:
    data = deployment()
    data["spec"]["template"]["spec"]["containers"][0]["env"][0]["name"] = "1ST-VAR"
    assert findings(data, "1.33") == []  # relaxed names from 1.32 (RelaxedEnvironmentVariableValidation)
    (older,) = findings(data, "1.30")
    assert "must not start with a digit" in older[1]


def test_extended_resources_must_equal_their_limit() -> None:
    data = deployment()
    resources = data["spec"]["template"]["spec"]["containers"][0]["resources"]
    resources["requests"]["nvidia.com/gpu"], resources["limits"]["nvidia.com/gpu"] = 1, 2
    (found,) = findings(data)
    assert "must be equal to nvidia.com/gpu limit of 2" in found[1]


def test_through_validate_path_at_the_line(tmp_path: Path) -> None:
    data = deployment()
    data["spec"]["replicas"] = -1
    (tmp_path / "web.yaml").write_text(yamlio.dump([data]))
    result = validation.validate(validation.ValidateOptions(root=tmp_path, paths=(tmp_path / "web.yaml",),
                                                            kubernetes_version=VERSION))
    (problem,) = result.problems
    assert (problem.line, problem.rule, problem.path) == (6, "api-validation", "spec.replicas")
