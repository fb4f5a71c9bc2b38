"""Label selectors: their syntax and what they match.

* `check` ports `ValidateLabelSelector` and `ValidateLabelSelectorRequirement` (apimachinery
  `pkg/apis/meta/v1/validation/validation.go`): `matchLabels` keys are qualified names and values
  label values; a `matchExpressions` operator is In, NotIn, Exists or DoesNotExist; In/NotIn need
  values, Exists/DoesNotExist take none; every value is a label value.
* `matches` is `metav1.LabelSelectorAsSelector(...).Matches(labels)`; `is_empty` is
  `selector.Empty()` (no requirement at all).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.core.problems import YamlPath as Path
from gitopsgen.validate import k8snames as names
from gitopsgen.validate.semantic.errors import forbidden, invalid, items, mapping, required
from gitopsgen.validate.toolkit.workloads import selects

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def check(selector: Any, path: Path) -> Iterator[Finding]:
    if not isinstance(selector, dict):
        return
    yield from labels(selector.get("matchLabels"), (*path, "matchLabels"))
    for index, requirement in enumerate(items(selector.get("matchExpressions"))):
        at = (*path, "matchExpressions", index)
        if not isinstance(requirement, dict):
            continue
        operator, values = requirement.get("operator"), requirement.get("values")
        if operator in ("In", "NotIn"):
            if not items(values):
                yield required((*at, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist"):
            if items(values):
                yield forbidden((*at, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        elif isinstance(operator, str):
            yield invalid((*at, "operator"), operator, "not a valid selector operator")
        key = requirement.get("key")
        if isinstance(key, str):
            for error in names.is_qualified_name(key):
                yield invalid((*at, "key"), key, error)
        for position, value in enumerate(items(values)):
            if isinstance(value, str):
                for error in names.is_label_value(value):
                    yield invalid((*at, "values", position), value, error)


def labels(value: Any, path: Path) -> Iterator[Finding]:
    """`ValidateLabels`: qualified-name keys, label values."""
    for key, label in mapping(value).items():
        if not isinstance(key, str):
            continue
        for error in names.is_qualified_name(key):
            yield invalid((*path, key), key, error)
        if isinstance(label, str):
            for error in names.is_label_value(label):
                yield invalid((*path, key), label, error)


def is_empty(selector: Any) -> bool:
    selector = mapping(selector)
    return not mapping(selector.get("matchLabels")) and not items(selector.get("matchExpressions"))


def matches(selector: Any, labels_: Any) -> bool:
    """Whether the selector selects the labels (a missing selector: everything, as `is_empty` says)."""
    return selects(mapping(selector), labels_)
