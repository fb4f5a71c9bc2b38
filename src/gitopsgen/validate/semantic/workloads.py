"""Workload controllers as the API server validates them:

* apps (kubernetes/kubernetes `pkg/apis/apps/validation/validation.go`): `ValidateDeploymentSpec`,
  `ValidateReplicaSetSpec`, `ValidateStatefulSetSpec`, `ValidateDaemonSetSpec` — non-negative
  `replicas`, `minReadySeconds`, `revisionHistoryLimit`; a non-empty selector ("empty selector is
  invalid for deployment") of valid syntax that matches the pod template's labels ("`selector`
  does not match template `labels`"); `progressDeadlineSeconds` greater than `minReadySeconds`;
  rolling update `maxUnavailable`/`maxSurge` as `ValidatePositiveIntOrPercent` and
  `IsNotMoreThan100Percent`, not both 0 (`ValidateRollingUpdateDeployment`);
* batch (`pkg/apis/batch/validation/validation.go`): `validateJobSpec` — non-negative
  `parallelism`, `completions`, `activeDeadlineSeconds`, `backoffLimit`, a selector (when given)
  matching the template, `restartPolicy` OnFailure or Never (`ValidateJobTemplateSpec`; a missing
  one defaults to Always); `validateCronJobSpec` — a schedule, non-negative
  `startingDeadlineSeconds` and history limits, the job template as a Job's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.core.problems import YamlPath as Path
from gitopsgen.validate.semantic import pods, selectors
from gitopsgen.validate.semantic.errors import (
    IS_NEGATIVE,
    invalid,
    is_int,
    mapping,
    nonnegative,
    required,
    unsupported,
)

_PERCENT = re.compile(r"[0-9]+%")
PERCENT_ERROR = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', "
                 "regex used for validation is '[0-9]+%')")


def int_or_percent(value: Any, path: Path) -> Iterator[Finding]:
    """`ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent` (apps validation)."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            yield invalid(path, value, PERCENT_ERROR)
        elif int(value[:-1]) > 100:
            yield invalid(path, value, "must not be greater than 100%")
    elif is_int(value) and value < 0:
        yield invalid(path, value, IS_NEGATIVE)


def _is_zero(value: Any) -> bool:
    return value in (0, "0%") and not isinstance(value, bool)


def selector_and_template(spec: dict[str, Any], path: Path, what: str, version: str, *,
                          required_selector: bool = True) -> Iterator[Finding]:
    selector, template = spec.get("selector"), mapping(spec.get("template"))
    if selector is None:
        if required_selector:
            yield required((*path, "selector"))
    elif selectors.is_empty(selector):
        yield invalid((*path, "selector"), selector, f"empty selector is invalid for {what}")
    else:
        yield from selectors.check(selector, (*path, "selector"))
        template_labels = mapping(mapping(template.get("metadata")).get("labels"))
        if not selectors.matches(selector, template_labels):
            yield invalid((*path, "template", "metadata", "labels"), template_labels,
                          "`selector` does not match template `labels`",
                          hint="every label of spec.selector must be among spec.template.metadata.labels")
    yield from pods.pod_template(template, (*path, "template"), version)


def deployment(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    yield from nonnegative(spec, path, "replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds")
    yield from selector_and_template(spec, path, "deployment", version)
    deadline, ready = spec.get("progressDeadlineSeconds"), spec.get("minReadySeconds", 0)
    if isinstance(deadline, int) and isinstance(ready, int) and is_int(deadline) and 0 <= deadline <= ready:
        yield invalid((*path, "progressDeadlineSeconds"), deadline, "must be greater than minReadySeconds")
    rolling = mapping(mapping(spec.get("strategy")).get("rollingUpdate"))
    at = (*path, "strategy", "rollingUpdate")
    yield from int_or_percent(rolling.get("maxUnavailable"), (*at, "maxUnavailable"))
    yield from int_or_percent(rolling.get("maxSurge"), (*at, "maxSurge"))
    if "maxUnavailable" in rolling and "maxSurge" in rolling and _is_zero(rolling["maxUnavailable"]) \
            and _is_zero(rolling["maxSurge"]):
        yield invalid((*at, "maxUnavailable"), rolling["maxUnavailable"], "may not be 0 when `maxSurge` is 0")


def replica_set(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    yield from nonnegative(spec, path, "replicas", "minReadySeconds")
    yield from selector_and_template(spec, path, "deployment", version)  # sic: upstream's wording for ReplicaSets


def stateful_set(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    yield from nonnegative(spec, path, "replicas", "minReadySeconds", "revisionHistoryLimit")
    yield from selector_and_template(spec, path, "statefulset", version)
    for index, claim in enumerate(spec.get("volumeClaimTemplates") or ()):
        claim_spec = mapping(mapping(claim).get("spec"))
        yield from pods.resources(claim_spec.get("resources"),
                                  (*path, "volumeClaimTemplates", index, "spec", "resources"))


def daemon_set(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    yield from nonnegative(spec, path, "minReadySeconds", "revisionHistoryLimit")
    yield from selector_and_template(spec, path, "daemonset", version)
    rolling = mapping(mapping(spec.get("updateStrategy")).get("rollingUpdate"))
    at = (*path, "updateStrategy", "rollingUpdate")
    yield from int_or_percent(rolling.get("maxUnavailable"), (*at, "maxUnavailable"))
    yield from int_or_percent(rolling.get("maxSurge"), (*at, "maxSurge"))


def job_spec(spec: dict[str, Any], path: Path, version: str) -> Iterator[Finding]:
    yield from nonnegative(spec, path, "parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                           "ttlSecondsAfterFinished")
    yield from selector_and_template(spec, path, "job", version, required_selector=False)
    restart = mapping(mapping(spec.get("template")).get("spec")).get("restartPolicy")
    if restart not in ("OnFailure", "Never"):
        yield unsupported((*path, "template", "spec", "restartPolicy"), restart or "Always", ["OnFailure", "Never"])


def job(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from job_spec(mapping(data.get("spec")), ("spec",), version)


def cron_job(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    if not spec.get("schedule"):
        yield required((*path, "schedule"))
    yield from nonnegative(spec, path, "startingDeadlineSeconds", "successfulJobsHistoryLimit",
                           "failedJobsHistoryLimit")
    template = mapping(mapping(spec.get("jobTemplate")).get("spec"))
    yield from job_spec(template, (*path, "jobTemplate", "spec"), version)
