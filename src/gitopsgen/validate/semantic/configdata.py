"""ConfigMap and Secret keys as the API server validates them (kubernetes/kubernetes
`pkg/apis/core/validation/validation.go`, `ValidateConfigMap` and `ValidateSecret`, with
apimachinery's `IsConfigMapKey`): every key of `data`, `binaryData` and `stringData` is at most
253 characters of `[-._a-zA-Z0-9]+`, not `.`, `..` or starting with `..`; a ConfigMap key is not
in both `data` and `binaryData` ("duplicate of key present in binaryData")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitopsgen.core.problems import Finding
from gitopsgen.validate.semantic.errors import chdir_prefix, invalid, mapping

_KEY = re.compile(r"[-._a-zA-Z0-9]+")
KEY_ERROR = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or "
             "'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


def key_errors(key: str) -> list[str]:
    """`IsConfigMapKey`."""
    errors = []
    if len(key) > 253:
        errors.append("must be no more than 253 characters")
    if not _KEY.fullmatch(key):
        errors.append(KEY_ERROR)
    return errors + chdir_prefix(key)


def _keys(data: dict[str, Any], *fields: str) -> Iterator[Finding]:
    for name in fields:
        for key in mapping(data.get(name)):
            if isinstance(key, str):
                for error in key_errors(key):
                    yield invalid((name, key), key, error, hint="keys may hold letters, digits, '-', '_' and '.'")


def config_map(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from _keys(data, "data", "binaryData")
    for key in mapping(data.get("data")):
        if key in mapping(data.get("binaryData")):
            yield invalid(("data", key), key, "duplicate of key present in binaryData")


def secret(data: dict[str, Any], version: str) -> Iterator[Finding]:
    yield from _keys(data, "data", "stringData")
