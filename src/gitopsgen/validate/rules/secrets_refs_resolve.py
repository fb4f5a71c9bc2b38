"""secret-refs-resolve: every Secret a workload or chart reads will exist, with that key.

Facts: docs/components.md §1, §3, §6.

Secrets come from two places only: ExternalSecrets (target name and keys, same namespace) and
CloudNativePG (`<cluster>-app`; `<cluster>-superuser` only with `enableSuperuserAccess: true`,
whose default is false, docs/components.md §1). A reference to anything else leaves the pod in
`CreateContainerConfigError` forever. Checked:

* `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef` and `secret` volumes of every workload;
* `secretKeyRef`s in chart values (e.g. External-DNS `CF_API_TOKEN`), in the namespace of the
  Application that installs the chart;
* no plain `Secret` is rendered with the name of an ExternalSecret target ("two owners fight",
  docs/components.md §3).

A `-superuser` reference without `enableSuperuserAccess: true` gets its own hint (docs/components.md §1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import layout
from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.validate.toolkit import (
    Finding,
    KnownSecret,
    chart_namespace,
    containers,
    dig,
    known_secrets,
    pod_spec_path,
)

ID = "secret-refs-resolve"


def check(tree: RenderedTree) -> Iterator[Finding]:
    secrets = known_secrets(tree)
    for doc in tree.manifests():
        ident = doc.ident
        if ident.kind == "Secret" and ident.api_version == "v1":
            owner = secrets.get((ident.namespace, ident.name))
            if owner is not None and owner.source == "ExternalSecret":
                yield Finding(("metadata", "name"),
                              "a plain Secret has the name of an ExternalSecret target",
                              hint="let the ExternalSecret own it; render no Secret", doc=doc)
        for path, name, key in _references(doc):
            yield from _resolve(tree, doc, path, ident.namespace, name, key, secrets)
    for chart_file in sorted(tree.files):
        chart = layout.chart_of_values_file(chart_file)
        if chart is None:
            continue
        namespace = chart_namespace(tree, chart)
        for values in tree.files[chart_file].documents:
            for path, ref in _values_refs(values.data):
                yield from _resolve(tree, values, path, namespace, ref.get("name"), ref.get("key"), secrets)


def _references(doc: Document) -> Iterator[tuple[tuple[str | int, ...], Any, Any]]:
    """(path, secret name, key or None) of every Secret reference of a workload's containers."""
    for path, container in containers(doc):
        for j, entry in enumerate(container.get("env") or []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef") if isinstance(entry, dict) else None
            if isinstance(ref, dict) and not ref.get("optional"):
                yield (*path, "env", j, "valueFrom", "secretKeyRef"), ref.get("name"), ref.get("key")
        for j, entry in enumerate(container.get("envFrom") or []):
            ref = entry.get("secretRef") if isinstance(entry, dict) else None
            if isinstance(ref, dict) and not ref.get("optional"):
                yield (*path, "envFrom", j, "secretRef"), ref.get("name"), None
    base = pod_spec_path(doc)
    volumes = dig(doc.data, *base, "volumes", default=[]) if base is not None else []
    for j, volume in enumerate(volumes or []):
        secret = volume.get("secret") if isinstance(volume, dict) else None
        if base is None or not isinstance(secret, dict) or secret.get("optional"):
            continue
        items = [item for item in secret.get("items") or [] if isinstance(item, dict)]
        if not items:
            yield (*base, "volumes", j, "secret"), secret.get("secretName"), None
        for k, item in enumerate(items):
            yield (*base, "volumes", j, "secret", "items", k, "key"), secret.get("secretName"), item.get("key")


def _values_refs(data: Any) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every `secretKeyRef` mapping of a values document (the outermost one on a path; one holding
    no value at all, only empty mappings and lists, is not a reference), in document order."""
    if isinstance(data, dict | list):
        yield from _refs_under(data, ())


def _refs_under(node: dict[Any, Any] | list[Any], path: tuple[str | int, ...]) -> Iterator[
        tuple[tuple[str | int, ...], dict[str, Any]]]:
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(node, dict) and key == "secretKeyRef":
            if isinstance(value, dict) and _holds_a_value(value):
                yield (*path, key), value
        elif isinstance(value, dict | list):
            yield from _refs_under(value, (*path, key))


def _holds_a_value(node: Any) -> bool:
    """Whether `yamlio.iter_paths(node)` yields anything: a scalar somewhere inside."""
    if isinstance(node, dict):
        return any(_holds_a_value(v) for v in node.values())
    if isinstance(node, list):
        return any(_holds_a_value(v) for v in node)
    return True


def _resolve(tree: RenderedTree, doc: Document, path: tuple[str | int, ...], namespace: str | None,
             name: Any, key: Any, secrets: dict[tuple[str | None, str], KnownSecret]) -> Iterator[Finding]:
    secret = secrets.get((namespace, name)) if isinstance(name, str) else None
    if secret is None:
        hint = "render an ExternalSecret with this target name in the same namespace"
        if isinstance(name, str) and name.endswith("-superuser"):
            hint = "CloudNativePG creates <cluster>-superuser only with enableSuperuserAccess: true"
        yield Finding(_field(path, "name"), f"Secret {name!r} in namespace {namespace!r} is not created by "
                      "any ExternalSecret or CloudNativePG Cluster", hint=hint, doc=doc)
    elif key is not None and key not in secret.keys:
        yield Finding(_field(path, "key"), f"Secret {name!r} ({secret.source}) has no key {key!r}",
                      hint=f"its keys: {', '.join(sorted(secret.keys))}", doc=doc)


def _field(path: tuple[str | int, ...], which: str) -> tuple[str | int, ...]:
    """The node a user edits: the reference's name (`secretName` in a volume) or its key."""
    last = path[-1] if path else None
    if last in ("secretKeyRef", "secretRef"):
        return (*path, which)
    if last == "secret":
        return (*path, "secretName")
    return path  # a volume's items[].key path names the key already
