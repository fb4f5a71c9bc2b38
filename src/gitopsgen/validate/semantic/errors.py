"""The API server's field errors (apimachinery `pkg/util/validation/field/errors.go`) as findings.

`field.Invalid(path, value, detail)` prints `Invalid value: <value>: <detail>`, `field.Required`
`Required value: <detail>`, `field.Duplicate` `Duplicate value: <value>`, `field.Forbidden`
`Forbidden: <detail>`, `field.NotSupported` `Unsupported value: <value>: supported values: ...`.
Values are shown as YAML spells them (strings double-quoted, as the API server quotes them).
"""

from __future__ import annotations

import json
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.core.problems import YamlPath as Path

RULE = "api-validation"
IS_NEGATIVE = "must be greater than or equal to 0"
"""apimachinery `pkg/api/validation/generic.go` / `pkg/util/validation` `IsNegativeErrorMsg`."""


def shown(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    from gitopsgen.validate.messages import shortened, spelled

    return shortened(spelled(value))


def invalid(path: Path, value: Any, detail: str, hint: str | None = None) -> Finding:
    return Finding(path, f"Invalid value: {shown(value)}: {detail}", RULE, hint=hint)


def required(path: Path, detail: str = "") -> Finding:
    return Finding(path, f"Required value{': ' + detail if detail else ''}", RULE)


def duplicate(path: Path, value: Any) -> Finding:
    return Finding(path, f"Duplicate value: {shown(value)}", RULE)


def forbidden(path: Path, detail: str) -> Finding:
    return Finding(path, f"Forbidden: {detail}", RULE)


def unsupported(path: Path, value: Any, supported: list[str]) -> Finding:
    return Finding(path, f"Unsupported value: {shown(value)}: supported values: "
                   + ", ".join(json.dumps(s) for s in supported), RULE)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def nonnegative(data: Any, path: Path, *keys: str) -> list[Finding]:
    """`ValidateNonnegativeField` (apimachinery `pkg/api/validation/generic.go`) for each of `keys`
    of the mapping `data` at `path`."""
    if not isinstance(data, dict):
        return []
    return [invalid((*path, key), data[key], IS_NEGATIVE) for key in keys
            if is_int(data.get(key)) and data[key] < 0]


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def chdir_prefix(value: str) -> list[str]:
    """apimachinery `hasChDirPrefix`."""
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    return ["must not start with '..'"] if value.startswith("..") else []
