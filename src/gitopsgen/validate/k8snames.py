"""Kubernetes' syntax rules for names, label keys and values, as the API server words them.

Ported from kubernetes/kubernetes (staging/src/k8s.io/apimachinery):

* `pkg/util/validation/validation.go`: `IsDNS1123Label` (<= 63, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`),
  `IsDNS1123Subdomain` (<= 253, labels joined by dots), `IsDNS1035Label` (<= 63, starts with a
  letter);
* `pkg/api/validate/content/kube.go`: `IsLabelKey` a.k.a. `IsQualifiedName` (optional DNS
  subdomain prefix and `/`, then a name <= 63 of `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`) and
  `IsLabelValue` (empty, or <= 63 of the same charset);
* `pkg/api/validate/content/path.go`: `IsPathSegmentName` (not `.` or `..`, no `/` or `%`), the
  name rule of RBAC objects and of embedded resources;
* `pkg/api/validation/generic.go`: `NameIsDNSSubdomain` & co. with `prefix=True` validate a
  `generateName` with its trailing dash masked (`maskTrailingDash`).

Each function returns what is wrong (a tuple), empty when the value is valid, like upstream.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = rf"{DNS1123_LABEL_FMT}(\.{DNS1123_LABEL_FMT})*"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"

_DNS1123_LABEL = re.compile(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(DNS1035_LABEL_FMT)
_LABEL_KEY = re.compile(LABEL_KEY_FMT)

NameCheck = Callable[[str, bool], tuple[str, ...]]
_memo = lru_cache(maxsize=4096)
"""Manifests repeat the same names, keys and values: each is checked once."""


def _max_len(limit: int) -> str:
    return f"must be no more than {limit} characters"


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    # upstream `RegexError` in pkg/util/validation/validation.go
    shown = " or ".join(f"'{e}'" for e in examples)
    return f"{message} ({f'e.g. {shown}, ' if examples else ''}regex used for validation is '{fmt}')"


@_memo
def is_dns1123_label(value: str) -> tuple[str, ...]:
    errors = []
    if len(value) > 63:
        errors.append(_max_len(63))
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(_regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return tuple(errors)


@_memo
def is_dns1123_subdomain(value: str) -> tuple[str, ...]:
    errors = []
    if len(value) > 253:
        errors.append(_max_len(253))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errors.append(_regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, "example.com"))
    return tuple(errors)


@_memo
def is_dns1035_label(value: str) -> tuple[str, ...]:
    errors = []
    if len(value) > 63:
        errors.append(_max_len(63))
    if not _DNS1035_LABEL.fullmatch(value):
        errors.append(_regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return tuple(errors)


_LABEL_KEY_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character")


@_memo
def is_qualified_name(value: str) -> tuple[str, ...]:
    """A label key, annotation key (lower-cased first) or finalizer name."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend(f"prefix part {m}" for m in is_dns1123_subdomain(prefix))
    else:
        return ("a valid label key " + _regex_error(_LABEL_KEY_ERR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",)
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + _max_len(63))
    if not _LABEL_KEY.fullmatch(name):
        errors.append("name part " + _regex_error(_LABEL_KEY_ERR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return tuple(errors)


@_memo
def is_label_value(value: str) -> tuple[str, ...]:
    errors = []
    if len(value) > 63:
        errors.append(_max_len(63))
    if value and not _LABEL_KEY.fullmatch(value):
        errors.append(_regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character", f"({LABEL_KEY_FMT})?",
            "MyValue", "my_value", "12345"))
    return tuple(errors)


@_memo
def is_path_segment_name(value: str, prefix: bool = False) -> tuple[str, ...]:
    if not prefix and value in (".", ".."):
        return (f"may not be '{value}'",)
    return tuple(f"may not contain '{c}'" for c in ("/", "%") if c in value)


def _mask_trailing_dash(name: str) -> str:
    # upstream `maskTrailingDash`: name[:len(name)-2] + "a" (sic: it drops two characters)
    return name[:-2] + "a" if name.endswith("-") else name


@_memo
def name_is_dns_subdomain(name: str, prefix: bool = False) -> tuple[str, ...]:
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


@_memo
def name_is_dns_label(name: str, prefix: bool = False) -> tuple[str, ...]:
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


@_memo
def name_is_dns1035_label(name: str, prefix: bool = False) -> tuple[str, ...]:
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)
