"""HorizontalPodAutoscalers as the API server validates them (kubernetes/kubernetes
`pkg/apis/autoscaling/validation/validation.go`, `validateHorizontalPodAutoscalerSpec` and
`validateMetricTarget`): `minReplicas` at least 1 (0 only with the HPAScaleToZero gate, off by
default), `maxReplicas` at least 1 and at least `minReplicas`; metric target quantities parse and
are positive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.validate.semantic import pods, quantity
from gitopsgen.validate.semantic.errors import invalid, is_int, items, mapping


def horizontal_pod_autoscaler(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    low = spec["minReplicas"] if is_int(spec.get("minReplicas")) else None
    high = spec["maxReplicas"] if is_int(spec.get("maxReplicas")) else None
    if low is not None and low < 1:
        yield invalid((*path, "minReplicas"), low, "must be greater than or equal to 1")
    if high is not None and high < 1:
        yield invalid((*path, "maxReplicas"), high, "must be greater than 0")
    if low is not None and high is not None and high < low:
        yield invalid((*path, "maxReplicas"), high, "must be greater than or equal to `minReplicas`")
    for index, metric in enumerate(items(spec.get("metrics"))):
        for source_name, source in mapping(metric).items():
            target = mapping(mapping(source).get("target"))
            for key in ("value", "averageValue"):
                if key in target:
                    at = (*path, "metrics", index, source_name, "target", key)
                    yield from pods.one_quantity(target[key], at)
                    parsed = quantity.parse(target[key])
                    if parsed is not None and parsed <= 0:
                        yield invalid(at, target[key], "must be positive")
