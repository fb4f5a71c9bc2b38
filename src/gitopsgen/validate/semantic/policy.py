"""PodDisruptionBudgets as the API server validates them (kubernetes/kubernetes
`pkg/apis/policy/validation/validation.go`, `ValidatePodDisruptionBudgetSpec`): `minAvailable`
and `maxUnavailable` are exclusive ("minAvailable and maxUnavailable cannot be both set"), each
a non-negative integer or a percentage of at most 100% (`ValidatePositiveIntOrPercent`,
`IsNotMoreThan100Percent`), and the selector is a valid label selector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.validate.semantic import selectors
from gitopsgen.validate.semantic.errors import invalid, mapping
from gitopsgen.validate.semantic.workloads import int_or_percent


def pod_disruption_budget(data: dict[str, Any], version: str) -> Iterator[Finding]:
    spec, path = mapping(data.get("spec")), ("spec",)
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        both = {"minAvailable": spec["minAvailable"], "maxUnavailable": spec["maxUnavailable"]}
        yield invalid(path, both, "minAvailable and maxUnavailable cannot be both set",
                      hint="keep one of minAvailable and maxUnavailable")
    for key in ("minAvailable", "maxUnavailable"):
        yield from int_or_percent(spec.get(key), (*path, key))
    yield from selectors.check(spec.get("selector"), (*path, "selector"))
