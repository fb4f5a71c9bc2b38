"""The test kit: copies of rendered trees with edits, lines of their text, running rules and the CLI.

A mutated tree is re-emitted canonically, exactly as render would write it, so a rule's reported
line can be compared with the line of the mutated text found by a plain substring search
(`line_with`), independently of `RenderedFile.line_of`.

    tree = mutate(rendered["prd"], "apps/data.yaml", lambda d: d[0]["spec"].pop("project"))
    assert_findings(argocd_destination, tree, [("apps/data.yaml", line_with(tree, "apps/data.yaml", "spec:"))])
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from gitopsgen.core.problems import Problem, Severity
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import Manifest, RenderedFile, RenderedTree, make_document
from gitopsgen.validate import rules

REPO_ROOT = Path(__file__).resolve().parent.parent
GITOPSGEN = Path(sys.executable).parent / "gitopsgen"
"""The console script installed beside the interpreter running the tests."""
APPLICATION_API = "argoproj.io/v1alpha1"
WAVE = "argocd.argoproj.io/sync-wave"


# --- trees -----------------------------------------------------------------------------------


EXAMPLES = ("dev", "prd")
"""The example environments tests are about; environments a user adds are never copied."""


def copy_examples(dest: Path, *, rendered: bool = False) -> None:
    """templates/ and the example environments (their defaults and every non-spec file of
    environments/, such as the editor schema) into `dest`; with `rendered`, their rendered trees."""
    shutil.copytree(REPO_ROOT / "templates", dest / "templates")
    keep = {f"{name}.yaml" for name in (*EXAMPLES, "defaults")}
    shutil.copytree(REPO_ROOT / "environments", dest / "environments",
                    ignore=lambda _, names: [n for n in names if n.endswith((".yaml", ".yml")) and n not in keep])
    if rendered:
        for env in EXAMPLES:
            shutil.copytree(REPO_ROOT / "rendered" / env, dest / "rendered" / env)


INGRESS_NGINX_CHART = {"repoURL": "https://kubernetes.github.io/ingress-nginx", "chart": "ingress-nginx",
                       "version": "4.15.1", "namespace": "ingress-nginx", "releaseName": "ingress-nginx"}


def use_ingress_nginx(root: Path) -> None:
    """Switch the example environments under `root` to the retired ingress-nginx controller (as a
    cluster that still runs it would pin it): ingress.controller, its chart and the pod network
    its webhook NetworkPolicy needs."""
    for env in EXAMPLES:
        path = root / "environments" / f"{env}.yaml"
        data = yaml.safe_load(path.read_text())
        data["ingress"] = {**(data.get("ingress") or {}), "controller": "ingress-nginx"}
        data.setdefault("charts", {})["ingressNginx"] = dict(INGRESS_NGINX_CHART)
        data.setdefault("network", {}).setdefault("podCidr", "10.244.0.0/16")
        path.write_text(yaml.safe_dump(data, sort_keys=False))


def with_file(tree: RenderedTree, path: str, documents: list[Any], template: str = "test") -> RenderedTree:
    """A copy of `tree` in which `path` holds `documents` (added or replaced)."""
    new = RenderedTree(tree.env, dict(tree.files))
    docs = tuple(make_document(path, i, d) for i, d in enumerate(documents))
    new.add(RenderedFile(path, template, docs, yamlio.dump(documents)))
    return new


def without_file(tree: RenderedTree, path: str) -> RenderedTree:
    assert path in tree.files, path
    return RenderedTree(tree.env, {p: f for p, f in tree.files.items() if p != path})


def mutate(tree: RenderedTree, path: str, change: Callable[[Any], Any], *, doc: int | None = None) -> RenderedTree:
    """A copy of `tree` where `change` edited (a deep copy of) the documents of `path`: the list of
    them, or with `doc=i` the i-th document. What `change` returns is ignored."""
    documents = [copy.deepcopy(d.data) for d in tree.files[path].documents]
    change(documents if doc is None else documents[doc])
    return with_file(tree, path, documents, tree.files[path].template)


def line_with(tree: RenderedTree, path: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line of `path` containing `needle` (searched in the text)."""
    seen = 0
    for number, line in enumerate(tree.files[path].text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {path}")


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file at `path` (which must contain it) with `new`."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_wave(wave: str) -> Callable[[Any], None]:
    """A `mutate(..., doc=0)` change setting an Application's sync-wave annotation."""
    def change(app: Any) -> None:
        app["metadata"]["annotations"][WAVE] = wave

    return change


def apps(tree: RenderedTree) -> dict[str, Manifest]:
    """The Argo CD Applications of a tree by component: the name without the `<env>-` prefix
    every Application carries (`prd-data` -> `data`)."""
    prefix = f"{tree.env}-"
    found = {}
    for doc in tree.manifests("Application", APPLICATION_API):
        assert doc.ident.name.startswith(prefix), doc.ident.name
        found[doc.ident.name.removeprefix(prefix)] = doc
    return found


def replace_sources_revision(tree: RenderedTree, revision: str) -> RenderedTree:
    """A copy of `tree` whose Applications' Git sources (not charts) follow `revision`."""
    for path in sorted({app.file for app in apps(tree).values()}):
        def change(docs: list[Any]) -> None:
            for app in docs:
                spec = app["spec"]
                for source in spec.get("sources") or [spec.get("source")]:
                    if "chart" not in source:
                        source["targetRevision"] = revision
        tree = mutate(tree, path, change)
    return tree


def find_env(container: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in container["env"] if e["name"] == name)


# --- rules -----------------------------------------------------------------------------------


def findings(rule: ModuleType, tree: RenderedTree, min_severity: Severity = Severity.WARNING) -> list[Problem]:
    """The problems one rule reports on `tree`, at `min_severity` or above."""
    return [p for p in rules.run_rule(rule, tree) if p.severity >= min_severity]


def places(problems: list[Problem]) -> list[tuple[str, int | None]]:
    """(path in the tree, line) of each problem, in order: `rendered/<env>/` is left out."""
    return [(p.file.split("/", 2)[2] if p.file.startswith("rendered/") else p.file, p.line) for p in problems]


def renamed(tree: RenderedTree, env: str) -> RenderedTree:
    """`tree` as the tree of environment `env`: every `rendered/<old>/` in its text becomes
    `rendered/<env>/` (Git source paths, value files), re-emitted canonically. A copy of prd renamed
    stg is what a staging environment copied from prd renders, less what its spec changed."""
    old = f"rendered/{tree.env}/"
    new = RenderedTree(env)
    for path, file in tree.files.items():
        documents = yamlio.load_all(file.text.replace(old, f"rendered/{env}/"))
        docs = tuple(make_document(path, i, d) for i, d in enumerate(documents))
        new.add(RenderedFile(path, file.template, docs, yamlio.dump(documents)))
    return new


def cross_findings(rule: ModuleType, trees: list[RenderedTree],
                   min_severity: Severity = Severity.WARNING) -> list[Problem]:
    """The problems a cross-environment rule reports on `trees`, all environments together."""
    found = rules.run_across(trees, [rule])
    return sorted(p for problems in found.values() for p in problems if p.severity >= min_severity)


def assert_cross_findings(rule: ModuleType, trees: list[RenderedTree], expected: list[tuple[str, int | None]],
                          min_severity: Severity = Severity.WARNING) -> list[Problem]:
    """Like `assert_findings`, for a rule across environments: `expected` holds
    (`rendered/<env>/<path>`, line) pairs, since a finding may land in any environment."""
    found = cross_findings(rule, trees, min_severity)
    assert all(p.rule == rule.ID for p in found)
    assert sorted((p.file, p.line) for p in found) == sorted(expected), [p.format() for p in found]
    return found


def assert_findings(rule: ModuleType, tree: RenderedTree, expected: list[tuple[str, int | None]],
                    min_severity: Severity = Severity.WARNING) -> list[Problem]:
    """Assert that `rule` reports exactly at `expected` [(path in the tree, line), ...] (in any
    order, repeats counted) and return its problems, sorted, for further checks."""
    found = sorted(findings(rule, tree, min_severity))
    assert all(p.rule == rule.ID and p.file.startswith(tree.display("")) for p in found)
    assert sorted(places(found)) == sorted(expected), [p.format() for p in found]
    return found


# --- the command line ------------------------------------------------------------------------


def cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 120, process: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the command line; never raises on a non-zero exit.

    In this process by default (the same `main()` the console script calls, with its own argv,
    working directory, environment and captured output): most tests are about what a command
    says and does, not about the process. `process=True` runs the real console script, for what
    only a process shows (signals, pipes, start-up, the installed entry point)."""
    environment = {**os.environ, **(env or {})}
    environment.pop("GITOPSGEN_DEBUG", None)
    if process or os.environ.get("GITOPSGEN_TEST_PROCESS"):  # set it to run every cli() as a process
        return subprocess.run([str(GITOPSGEN), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                              timeout=timeout, check=False, env=environment)
    return _in_process([str(a) for a in args], cwd, environment)


def _in_process(args: list[str], cwd: Path | None, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import contextlib
    import io

    from gitopsgen.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    code: int | str | None = 0
    try:
        os.environ.clear()
        os.environ.update(environment)
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["gitopsgen", *args]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exit_:
                code = exit_.code
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    if isinstance(code, str):
        err.write(code + "\n")
    return subprocess.CompletedProcess(["gitopsgen", *args], returncode, out.getvalue(), err.getvalue())


