"""The chart-aware diff: what a Helm chart deploys, rendered at both sides with Helm's own engine.

For every `ChartChange` of an environment (a chart whose version, values files or Helm settings
differ), the chart is rendered offline at each side with the values Argo CD would pass
(`helmvalues`), from the archive in the local chart cache (`chartcache`), by Helm's Go engine
through the optional extra `gitopsgen[helm]` (helm-python-sdk, module
`helm_python`: no cluster, no `helm` binary; `lookup` returns nothing, `.Capabilities` are Helm's
defaults, the same at both sides). The output becomes a `RenderedTree` per side (paths as
`helm template` names them, `reloader/templates/deployment.yaml`; `NOTES.txt` left out, as Helm
does) and goes through `compare_trees`, so matching by identity, redaction (a chart's Secrets)
and the reporters are the same as for our own objects. CustomResourceDefinitions (the chart's
`crds/`, and any the templates render) are summarised by name: added, removed, changed, unchanged.

Without the extra, a chart not in the cache, or a chart Helm refuses to render, `objects` stays
None and `reason` says why, with the command that helps in `hint`. Nothing here raises for such a
chart: the rest of the diff is what the user asked for.

Renders are cached within a run per (archive sha256, values sha256, release, namespace, flags),
loaded charts per archive (a chart whose only change is its values is loaded once), and parsed
documents per text (`chartparse`: what both sides render alike is parsed once; CRDs are
identified from their first lines and compared as text, and parsed only when they differ).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from gitopsgen.diff import chartcache, chartparse
from gitopsgen.diff.engine import compare_trees
from gitopsgen.diff.helmvalues import HelmInput, NotRenderable, find_application, helm_input, user_values
from gitopsgen.diff.model import ChartChange, EnvDiff
from gitopsgen.facts import release
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document

HELM_EXTRA = release.pip_install("helm")
_NOTES = "NOTES.txt"
_TEST_HOOKS = ("test", "test-success", "test-failure")


@dataclass
class Rendered:
    """What a chart deploys at one side: its objects, and its CRDs (their texts) by name, kept apart."""

    tree: RenderedTree
    crds: dict[str, str] = field(default_factory=dict)


class _Unavailable(Exception):
    pass


@dataclass
class ChartDiffer:
    """Renders and compares the charts of `EnvDiff.charts`; one per diff run (it holds the caches)."""

    sides: tuple[str, str] = ("old side", "new side")
    """How the two sides are named in reasons (`origin/main`, `working tree`)."""
    fetch: bool = False
    """Download archives missing from the cache (`--fetch-charts`); never the network otherwise."""
    fetch_command: str = "gitopsgen diff --all --fetch-charts"
    mirror: Callable[[str], str | None] = field(default=lambda repo_url: None)
    """The `[schemas] mirrors` URL of a Helm repository, for `fetch`."""
    _helm: ModuleType | None = field(default=None, init=False, repr=False)
    _helm_problem: str | None = field(default=None, init=False, repr=False)
    _charts: dict[str, tuple[Any, dict[str, str]]] = field(default_factory=dict, init=False, repr=False)
    """Loaded charts (and their plain files) by archive sha256."""
    _renders: dict[tuple[Any, ...], Rendered | str] = field(default_factory=dict, init=False, repr=False)
    """Renders (or Helm's complaint) by (archive, values, release, namespace, flags)."""
    _fetcher: Any = field(default=None, init=False, repr=False)
    _parser: chartparse.Parser = field(default_factory=chartparse.Parser, init=False, repr=False)

    def fill(self, env: EnvDiff, old: RenderedTree | None, new: RenderedTree | None) -> None:
        """Fill `objects` (or `reason` and `hint`) of every chart change of `env`."""
        if old is None or new is None:
            return
        for change in env.charts:
            self.compare(env.env, change, old, new)

    def compare(self, env: str, change: ChartChange, old: RenderedTree, new: RenderedTree) -> None:
        helm = self.helm()
        if helm is None:
            change.reason = f"not compared: {self._helm_problem}"
            change.hint = HELM_EXTRA
            return
        missing: list[str] = []
        problems: list[str] = []
        rendered: list[Rendered] = []
        for side, tree in zip(self.sides, (old, new), strict=True):
            try:
                spec = self._input(tree, change)
                archive = self.archive(spec)
                if archive is None:
                    missing.append(f"{spec.chart} {spec.version} ({side})")
                    continue
                rendered.append(self.render(helm, env, archive, spec))
            except (_Unavailable, NotRenderable) as exc:
                problems.append(f"{side}: {exc}")
        if missing:
            them = "it" if len(missing) == 1 else "them"
            problems.insert(0, f"not in the chart cache: {', '.join(missing)}; `{self.fetch_command}` downloads "
                               f"{them} (digest-checked; `gitopsgen schemas sync` fetches the working tree's pins)")
            change.hint = self.fetch_command
        if problems:
            change.reason = f"not compared: {'; '.join(problems)}"
            return
        before, after = rendered
        result = compare_trees(env, before.tree, after.tree, label="")
        change.objects = result.entries
        change.crds, change.crds_unchanged = self._parser.crd_changes(before.crds, after.crds)
        change.reason = None

    def helm(self) -> ModuleType | None:
        """The Helm engine, imported on first use; None (with `_helm_problem`) when unusable."""
        if self._helm is None and self._helm_problem is None:
            try:
                import helm_python
            except ImportError:
                self._helm_problem = ("the Helm engine is not installed; enable the chart-aware diff with "
                                      f"`{HELM_EXTRA}`")
            except Exception as exc:  # HelmLibraryError: the native library does not load here
                self._helm_problem = f"the Helm engine does not load ({exc}); reinstall it with `{HELM_EXTRA}`"
            else:
                self._helm = helm_python
        return self._helm

    def _input(self, tree: RenderedTree, change: ChartChange) -> HelmInput:
        key = change.key
        app = find_application(tree, key.name if key else change.application, key.namespace if key else None)
        if app is None:
            raise NotRenderable(f"Application {change.application} not found")
        spec = helm_input(tree, app, change.repo_url, change.chart)
        if spec.version is None:
            raise NotRenderable(f"chart {spec.chart} has no targetRevision")
        return spec

    def archive(self, spec: HelmInput) -> bytes | None:
        assert spec.version is not None
        data = chartcache.cached(spec.repo_url, spec.chart, spec.version)
        if data is not None or not self.fetch:
            return data
        if self._fetcher is None:
            from gitopsgen.store.fetch import Fetcher

            self._fetcher = Fetcher(online_command=self.fetch_command)
        try:
            return chartcache.fetch(spec.repo_url, spec.chart, spec.version, self._fetcher,
                                    self.mirror(spec.repo_url))
        except chartcache.ChartUnavailable as exc:
            raise _Unavailable(f"cannot fetch chart {spec.chart} {spec.version}: {exc}") from exc

    def render(self, helm: ModuleType, env: str, archive: bytes, spec: HelmInput) -> Rendered:
        """The chart rendered as Argo CD would; raises `_Unavailable` with Helm's words when it fails."""
        digest = hashlib.sha256(archive).hexdigest()
        chart, files = self._load(helm, digest, archive, spec)
        try:
            values = user_values(spec, files, lambda text, strings: dict(
                helm.parse_set_string_values(text) if strings else helm.parse_set_string(text)))
        except helm.HelmError as exc:
            raise _Unavailable(f"Helm refuses a parameter of chart {spec.chart}: {_first_lines(str(exc))}") from exc
        values_digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
        key = (digest, values_digest, spec.release, spec.namespace, spec.skip_crds, spec.skip_tests)
        if key not in self._renders:
            self._renders[key] = self._render(helm, env, chart, values, spec)
        found = self._renders[key]
        if isinstance(found, str):
            raise _Unavailable(found)
        return found

    def _load(self, helm: ModuleType, digest: str, archive: bytes, spec: HelmInput) -> tuple[Any, dict[str, str]]:
        """The loaded chart and its plain files (values files inside the chart), once per archive."""
        if digest not in self._charts:
            try:
                chart = helm.Chart.load_archive(archive)
            except helm.HelmError as exc:
                raise _Unavailable(f"the cached archive of {spec.chart} {spec.version} is not a chart: {exc}") from exc
            self._charts[digest] = (chart, {f["name"]: f["data"] for f in chart.files})
        chart, files = self._charts[digest]
        if chart.name != spec.chart or chart.version.removeprefix("v") != (spec.version or "").removeprefix("v"):
            raise _Unavailable(f"the cache holds chart {chart.name} {chart.version} where {spec.chart} {spec.version} "
                               f"belongs; remove it, then `{self.fetch_command}` fetches the right one")
        return chart, files

    def _render(self, helm: ModuleType, env: str, chart: Any, values: dict[str, Any],
                spec: HelmInput) -> Rendered | str:
        from ruamel.yaml.error import YAMLError

        where = f"chart {spec.chart} {spec.version}"
        try:
            manifests: dict[str, str] = chart.render(values=values, name=spec.release, namespace=spec.namespace)
            crd_files = [] if spec.skip_crds else chart.crds
        except helm.HelmError as exc:
            return f"Helm cannot render {where}: {_first_lines(str(exc))}"
        out = Rendered(RenderedTree(env, prefix=""))
        parser = self._parser
        for path in sorted(manifests):
            if path.endswith(_NOTES):
                continue
            kept: list[Any] = []
            try:
                for text in chartparse.split(manifests[path]):
                    name = parser.crd_name(text)
                    if name is not None:
                        out.crds[name] = text
                        continue
                    kept.extend(d for d in parser.parse(text) if not (spec.skip_tests and _is_test_hook(d)))
            except YAMLError as exc:
                return f"{where} renders invalid YAML in {path}: {_first_lines(str(exc))}"
            if kept:
                out.tree.add(RenderedFile(path, path, tuple(make_document(path, i, d) for i, d in enumerate(kept)),
                                          manifests[path]))
        for crd in crd_files:
            try:
                for text in chartparse.split(crd["data"]):
                    name = parser.crd_name(text)
                    if name is not None:
                        out.crds[name] = text
            except YAMLError as exc:
                return f"{where} ships invalid YAML in {crd['filename']}: {_first_lines(str(exc))}"
        return out


def _is_test_hook(data: Any) -> bool:
    hooks = yamlio.dig(data, "metadata", "annotations", "helm.sh/hook")
    return isinstance(hooks, str) and any(h.strip() in _TEST_HOOKS for h in hooks.split(","))


def _first_lines(text: str, limit: int = 3) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines()[:limit])
