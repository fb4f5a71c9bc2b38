"""no-secret-values: nothing in `rendered/` may carry a secret value.

Facts: docs/components.md §3.

Secrets reach the cluster through ExternalSecrets from Doppler. So a rendered tree must not
contain:

* a `Secret` with `data` or `stringData` (it would also fight the ExternalSecret that owns the
  same name: ESO docs, "two owners");
* a container `env` entry whose name says it is a secret (PASSWORD, TOKEN, ...) with a literal
  `value` instead of `valueFrom.secretKeyRef`;
* any string that has the shape of a known credential (Doppler/GitHub/Slack tokens, private keys,
  JWTs, credentials in URLs, a tunnel secret), unless the spec marked that value
  `# gitopsgen: not-a-secret` (`RenderedTree.not_secrets`).

`secret_values` lists what this rule recognises, so that no other finding echoes it. Both come
from one walk over every string of the tree, done once per tree (`RenderedTree.index`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitopsgen.core import fastpath
from gitopsgen.facts.secret_shapes import SECRET_NAME, find_secret, secret_finder
from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.tree.yamlio import iter_paths
from gitopsgen.validate.toolkit import Finding, dig

ID = "no-secret-values"


@dataclass(frozen=True)
class _Scan:
    findings: tuple[Finding, ...]
    values: frozenset[str]


def check(tree: RenderedTree) -> Iterator[Finding]:
    if not fastpath.enabled():
        yield from _reference_check(tree)
        return
    yield from _scan(tree).findings


def secret_values(tree: RenderedTree) -> set[str]:
    """The values this rule recognises as secrets in `tree` (to redact from every message)."""
    if not fastpath.enabled():
        return _reference_values(tree)
    return set(_scan(tree).values)


def _scan(tree: RenderedTree) -> _Scan:
    return tree.index.memo((ID, tree.not_secrets), lambda: _walk_tree(tree))


def _walk_tree(tree: RenderedTree) -> _Scan:
    """Every string of the tree looked at once, depth first in document order (as
    `yamlio.iter_paths`): the hot loop of the rule. Plain types are told apart by `type()`, and a
    path is built only for a string that has a secret's shape or is an `env[].value`."""
    findings: list[Finding] = []
    values: set[str] = set()
    allowed = tree.not_secrets
    find = secret_finder()
    found: list[tuple[tuple[str | int, ...], str]] = []

    def walk(node: dict[Any, Any] | list[Any], path: tuple[str | int, ...]) -> None:
        env_values = len(path) >= 2 and path[-2] == "env"
        for key, value in node.items() if type(node) is dict else enumerate(node):
            kind = type(value)
            if kind is str:
                if (find(value) is not None or (env_values and key == "value")) and value not in allowed:
                    found.append(((*path, key), value))
            elif kind is dict or kind is list:
                walk(value, (*path, key))
            elif value is None or kind is int or kind is bool or kind is float:
                continue
            elif isinstance(value, str):  # subclasses of the plain types
                if (find(value) is not None or (env_values and key == "value")) and value not in allowed:
                    found.append(((*path, key), value))
            elif isinstance(value, _CONTAINERS):
                walk(value, (*path, key))

    for doc in tree.documents():
        data = doc.data
        ident = doc.identity
        if ident is not None and ident.kind == "Secret" and ident.api_version == "v1":
            for key in ("data", "stringData"):
                if data.get(key):
                    findings.append(Finding((key,), "a Secret with literal values is rendered",
                                            hint="declare an ExternalSecret that fetches the value from Doppler",
                                            doc=doc))
                values.update(v for _, v in iter_paths(data.get(key)) if isinstance(v, str))
        if isinstance(data, _CONTAINERS):
            walk(data, ())
        elif isinstance(data, str) and find(data) is not None and data not in allowed:
            found.append(((), data))
        if found:
            for path, value in found:
                _leaf(doc, path, value, findings, values)
            found.clear()
    return _Scan(tuple(findings), frozenset(values))


_CONTAINERS = (dict, list)


def _leaf(doc: Document, path: tuple[str | int, ...], value: str, findings: list[Finding], values: set[str]) -> None:
    if (what := find_secret(value)) is not None:
        findings.append(Finding(path, f"looks like {what}",
                                hint="secret values never go into rendered/; reference them from Doppler", doc=doc))
        values.add(value)
    elif len(path) >= 3 and path[-1] == "value" and path[-3] == "env":
        name = _env_name(doc.data, path)
        if name and SECRET_NAME.search(name):
            values.add(value)
            if isinstance(path[-2], int):
                findings.append(Finding(path, f"env {name} has a literal value",
                                        hint="use valueFrom.secretKeyRef", doc=doc))


def _env_name(data: object, path: tuple[str | int, ...]) -> str | None:
    name = dig(data, *path[:-1], "name")
    return name if isinstance(name, str) else None


# -- the reference path: each question answered on its own, every leaf looked at (`fastpath.disabled()`) ----


def _reference_check(tree: RenderedTree) -> Iterator[Finding]:
    allowed = tree.not_secrets
    for doc in tree.documents():
        ident = doc.identity
        if ident is not None and ident.kind == "Secret" and ident.api_version == "v1":
            for key in ("data", "stringData"):
                if doc.data.get(key):
                    yield Finding((key,), "a Secret with literal values is rendered",
                                  hint="declare an ExternalSecret that fetches the value from Doppler", doc=doc)
        for path, value in iter_paths(doc.data):
            if not isinstance(value, str):
                continue
            if value in allowed:
                continue
            if (what := find_secret(value)) is not None:
                yield Finding(path, f"looks like {what}",
                              hint="secret values never go into rendered/; reference them from Doppler", doc=doc)
            elif (len(path) >= 3 and path[-1] == "value" and isinstance(path[-2], int)
                  and path[-3] == "env"):
                name = _env_name(doc.data, path)
                if name and SECRET_NAME.search(name):
                    yield Finding(path, f"env {name} has a literal value",
                                  hint="use valueFrom.secretKeyRef", doc=doc)


def _reference_values(tree: RenderedTree) -> set[str]:
    found: set[str] = set()
    for doc in tree.documents():
        ident = doc.identity
        if ident is not None and ident.kind == "Secret" and ident.api_version == "v1":
            for key in ("data", "stringData"):
                found.update(v for _, v in iter_paths(doc.data.get(key)) if isinstance(v, str))
        for path, value in iter_paths(doc.data):
            if not isinstance(value, str) or value in tree.not_secrets:
                continue
            if find_secret(value) is not None:
                found.add(value)
            elif len(path) >= 3 and path[-1] == "value" and path[-3] == "env":
                name = _env_name(doc.data, path)
                if name and SECRET_NAME.search(name):
                    found.add(value)
    return found
