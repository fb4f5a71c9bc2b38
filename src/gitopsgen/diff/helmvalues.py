"""What Argo CD hands Helm for one Helm source of an Application, read from one rendered tree.

Argo CD renders a Helm source with `helm template` (Argo CD docs, "Helm"):
* release name: `helm.releaseName`, else the Application's name;
* namespace: `helm.namespace`, else `spec.destination.namespace`;
* values, lowest precedence first: the chart's own `values.yaml` (Helm coalesces it under the
  rest: a null in a higher layer deletes a default), each `helm.valueFiles` entry in order
  (`$values/rendered/<env>/...` from this tree, a path without `$` from inside the chart; one that
  does not exist fails the sync unless `helm.ignoreMissingValueFiles`), `helm.valuesObject` (or,
  when it is unset, the YAML text `helm.values`), then `helm.parameters` as `--set` (or
  `--set-string` with `forceString`);
* `helm.skipCrds` leaves the chart's `crds/` out; `helm.skipTests` leaves test hooks out.

Our layers are merged the way Helm merges several `--values` files (`mergeMaps` in helm's
pkg/cli/values: mappings key by key, anything else replaced, nulls *kept*), and only then
coalesced over the chart's defaults by Helm itself. `validate.toolkit.coalesce` would drop the nulls first,
and a null meant to delete a chart default would silently keep it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gitopsgen.tree import argocd, yamlio
from gitopsgen.tree.manifests import Document, RenderedTree
from gitopsgen.tree.yamlio import dig


class NotRenderable(Exception):
    """The Application cannot be rendered as Argo CD would (the message says why)."""


@dataclass(frozen=True)
class ValuesLayer:
    origin: str
    """Where the layer comes from, for messages: `values/reloader.yaml`, `helm.valuesObject`."""
    data: Any = None
    chart_file: str | None = None
    """A values file inside the chart archive: read when the chart is loaded."""
    optional: bool = False
    """`ignoreMissingValueFiles`: a chart file that does not exist is skipped."""


@dataclass(frozen=True)
class HelmInput:
    repo_url: str
    chart: str
    version: str | None
    release: str
    namespace: str | None
    layers: tuple[ValuesLayer, ...]
    parameters: tuple[tuple[str, str, bool], ...] = ()
    """(name, value, forceString) of `helm.parameters`, in order."""
    skip_crds: bool = False
    skip_tests: bool = False


def find_application(tree: RenderedTree, name: str, namespace: str | None = None) -> Document | None:
    """The Argo CD Application `name` (in `namespace`, "" for none; None: in any namespace)."""
    for doc in argocd.applications(tree):
        if doc.ident.name == name and (namespace is None or (doc.ident.namespace or "") == namespace):
            return doc
    return None


def helm_input(tree: RenderedTree, app: Document, repo_url: str, chart: str) -> HelmInput:
    """The release, namespace and values layers of the source `(repo_url, chart)` of `app`."""
    source = next((s for s in argocd.sources(app) if s.chart == chart
                   and str(s.data.get("repoURL", "")) == repo_url), None)
    if source is None:
        raise NotRenderable(f"the Application has no Helm source for chart {chart} from {repo_url}")
    helm = source.data.get("helm")
    helm = helm if isinstance(helm, dict) else {}
    ignore_missing = helm.get("ignoreMissingValueFiles") is True
    layers = [_layer(tree, f, ignore_missing) for f in argocd.value_files(app) if f.source == source]
    values_object = helm.get("valuesObject")
    if isinstance(values_object, dict):
        layers.append(ValuesLayer("helm.valuesObject", values_object))
    elif isinstance(helm.get("values"), str) and helm["values"].strip():
        layers.append(ValuesLayer("helm.values", _parse(helm["values"], "helm.values")))
    if helm.get("fileParameters"):
        raise NotRenderable("helm.fileParameters (--set-file) is not supported by the chart-aware diff")
    parameters = tuple((str(p.get("name")), str(p.get("value", "")), p.get("forceString") is True)
                       for p in helm.get("parameters") or [] if isinstance(p, dict) and p.get("name"))
    release = helm.get("releaseName")
    namespace = helm.get("namespace") or dig(app.data, "spec", "destination", "namespace")
    version = source.data.get("targetRevision")
    return HelmInput(
        repo_url, chart, None if version is None else str(version),
        release if isinstance(release, str) and release else app.identity.name if app.identity else "",
        namespace if isinstance(namespace, str) and namespace else None,
        tuple(layer for layer in layers if layer is not None), parameters,
        skip_crds=helm.get("skipCrds") is True, skip_tests=helm.get("skipTests") is True)


def _layer(tree: RenderedTree, value_file: argocd.ValueFile, ignore_missing: bool) -> ValuesLayer | None:
    if value_file.variable is None:
        return ValuesLayer(value_file.raw, chart_file=value_file.raw.removeprefix("./"), optional=ignore_missing)
    path = argocd.resolve(tree, value_file)
    if path is None:
        if ignore_missing:
            return None
        raise NotRenderable(f"value file {value_file.raw} is not part of this render (Argo CD fails to sync)")
    doc = tree.first(path)
    data = doc.data if doc is not None else None
    if data is not None and not isinstance(data, dict):
        raise NotRenderable(f"value file {path} is not a YAML mapping")
    return ValuesLayer(path, data or {})


def _parse(text: str, origin: str) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        docs = yamlio.load_all(text)
    except YAMLError as exc:
        raise NotRenderable(f"{origin} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    data = docs[0] if docs else {}
    if not isinstance(data, dict):
        raise NotRenderable(f"{origin} is not a YAML mapping")
    return data


def merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of two `--values` files: `override` wins, mappings merge, nulls stay."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def set_expression(name: str, value: str) -> str:
    """`name=value` as Argo CD passes a parameter to `--set`: commas escaped unless the value is a
    Helm list (`{a,b}`) (argo-cd util/helm: cleanSetParameters)."""
    if not (value.startswith("{") and value.endswith("}")):
        value = _UNESCAPED_COMMA.sub(r"\\,", value)
    return f"{name}={value}"


SetParser = Callable[[str, bool], dict[str, Any]]
"""Helm's own parser of a `--set` (False) or `--set-string` (True) expression."""


def user_values(spec: HelmInput, chart_files: Mapping[str, str], parse_set: SetParser) -> dict[str, Any]:
    """The values given to Helm on top of the chart's defaults (which Helm coalesces itself)."""
    merged: dict[str, Any] = {}
    for layer in spec.layers:
        data = layer.data
        if layer.chart_file is not None:
            text = chart_files.get(layer.chart_file)
            if text is None:
                if layer.optional:
                    continue
                raise NotRenderable(f"value file {layer.chart_file} is not in chart {spec.chart} {spec.version}")
            data = _parse(text, layer.origin)
        merged = merge_maps(merged, data or {})
    for name, value, force_string in spec.parameters:
        merged = merge_maps(merged, parse_set(set_expression(name, value), force_string))
    return merged
