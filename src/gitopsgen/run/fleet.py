"""Fleet mode: one Argo CD ApplicationSet creates every environment's root Application.

With `[fleet] enabled = true` in gitopsgen.toml, `render --all` writes `rendered/_fleet/` from
`templates/_fleet/` (the ApplicationSet, the AppProject of the roots it creates, the
argocd-cmd-params-cm patch its sync policy needs) instead of a `bootstrap/` folder per
environment. The fleet is one object for all environments, so:

* every environment renders it with its own context, and all must render it alike (what it
  reads, `argocd.repoURL`, `targetRevision`, `namespace` and `retry`, belongs in
  environments/defaults.yaml): `agreement`;
* it is validated like an environment's files (the ApplicationSet against the schema store,
  `argoproj.io/applicationset_v1alpha1`), and its generators must select exactly the
  environments rendered: `generator_problems` (a git directory generator's `directories`, with
  their excludes, matched as Argo CD matches them, one path segment per `*`; a list generator's
  `env` elements). Rule id `fleet-generator`;
* it is written, checked and swapped in with the environments (all or nothing), and a run that
  renders with fleet mode off removes it like a deleted environment's folder.

`render ENV` (not --all) leaves `rendered/_fleet/` alone: it describes every environment.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gitopsgen.core.problems import Problem, dotted
from gitopsgen.facts.layout import FLEET, RENDERED
from gitopsgen.tree.manifests import Manifest, RenderedTree

if TYPE_CHECKING:
    from gitopsgen.render.engine import FleetInfo
    from gitopsgen.run.unit import EnvJob, EnvOutcome
    from gitopsgen.store.locations import SchemaStore
    from gitopsgen.validate import SchemaOptions

RULE = "fleet-generator"
AGREEMENT = "fleet-agreement"


def agreement(renders: Sequence[tuple[str, RenderedTree]]) -> list[Problem]:
    """Problems where an environment renders `rendered/_fleet/` differently from the first one."""
    if not renders:
        return []
    first_env, first = renders[0]
    problems = []
    for env, tree in renders[1:]:
        for path in sorted(first.files.keys() | tree.files.keys()):
            mine, theirs = first.files.get(path), tree.files.get(path)
            if mine is not None and theirs is not None and mine.text == theirs.text:
                continue
            line, shown = _first_difference(mine.text if mine else "", theirs.text if theirs else "")
            problems.append(Problem(
                first.display(path), line if mine is not None else None, None, "",
                f"environment {env} renders this {'line' if mine and theirs else 'file'} as {shown!r}, "
                f"environment {first_env} as shown: the fleet serves every environment alike",
                rule=AGREEMENT, hint="set what the fleet's templates read (argocd.repoURL, targetRevision, namespace, "
                                     "retry) once, in environments/defaults.yaml"))
    return problems


def _first_difference(a: str, b: str) -> tuple[int, str]:
    left, right = a.splitlines(), b.splitlines()
    for number, (x, y) in enumerate(zip(left, right, strict=False), start=1):
        if x != y:
            return number, y.strip()
    number = min(len(left), len(right)) + 1
    return number, (right[number - 1].strip() if number <= len(right) else "(nothing)")


def _matches(pattern: str, path: str) -> bool:
    """Argo CD's directory match (Go's path.Match): `*`, `?` and `[...]` within one segment."""
    parts, names = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(names) and all(fnmatch.fnmatchcase(n, p) for p, n in zip(parts, names, strict=True))


def selected(directories: list[Any], candidates: Sequence[str]) -> list[str]:
    """The `candidates` (folders from the repository root) a git directory generator selects."""
    include = [d.get("path") for d in directories if isinstance(d, dict) and not d.get("exclude")]
    exclude = [d.get("path") for d in directories if isinstance(d, dict) and d.get("exclude")]
    return [c for c in candidates
            if any(isinstance(p, str) and _matches(p, c) for p in include)
            and not any(isinstance(p, str) and _matches(p, c) for p in exclude)]


def generator_problems(tree: RenderedTree, environments: Sequence[str], with_apps: Sequence[str]) -> list[Problem]:
    """Where the fleet's ApplicationSets would create root Applications for other environments than
    `environments`; `with_apps` are those whose render has an `apps/` folder (the only folders of
    rendered/ a directory generator can select)."""
    problems = []
    wanted = set(environments)
    for appset in (d for d in tree.documents() if isinstance(d, Manifest) and d.ident.kind == "ApplicationSet"):
        generators = (appset.data.get("spec") or {}).get("generators") or []
        for i, generator in enumerate(generators if isinstance(generators, list) else []):
            if not isinstance(generator, dict):
                continue
            if "git" in generator and isinstance(generator["git"], dict):
                where: tuple[str | int, ...] = ("spec", "generators", i, "git", "directories")
                candidates = [f"{RENDERED}/{e}/apps" for e in with_apps]
                folders = selected(generator["git"].get("directories") or [], candidates)
                found: set[str] = {f.split("/")[1] for f in folders}
            elif "list" in generator and isinstance(generator["list"], dict):
                where = ("spec", "generators", i, "list", "elements")
                elements = generator["list"].get("elements") or []
                found = {str(e.get("env")) for e in elements if isinstance(e, dict)}
                missing_apps = sorted(wanted - set(with_apps))
                if missing_apps:
                    problems.append(_problem(tree, appset, where, f"lists {', '.join(missing_apps)}, whose render has "
                                             "no apps/ folder for a root Application to sync"))
            else:
                problems.append(_problem(tree, appset, ("spec", "generators", i), "gitopsgen cannot tell which "
                                         "environments this generator selects (git directories and list are checked)",
                                         severity="warning"))
                continue
            missing, extra = sorted(wanted - found), sorted(found - wanted)
            if missing or extra:
                parts = ([f"misses {', '.join(missing)}"] if missing else []) + \
                        ([f"also selects {', '.join(extra)}"] if extra else [])
                problems.append(_problem(tree, appset, where, f"the generator {' and '.join(parts)}: it must "
                                         f"create a root Application for each environment rendered "
                                         f"({', '.join(sorted(wanted))}) and for nothing else"))
    return problems


def _problem(tree: RenderedTree, doc: Manifest, path: tuple[str | int, ...], message: str,
             severity: str = "error") -> Problem:
    from gitopsgen.core.problems import Severity

    return Problem(tree.display(doc.file), tree.files[doc.file].line_of(doc.index, path), None, dotted(path),
                   f"{message} ({doc.ident})", rule=RULE,
                   severity=Severity.WARNING if severity == "warning" else Severity.ERROR,
                   hint=f"the git generator's directories should select {RENDERED}/*/apps" if severity == "error"
                   else None)


def findings(renders: Sequence[tuple[str, RenderedTree]], with_apps: Sequence[str], info: FleetInfo,
             options: SchemaOptions) -> list[Problem]:
    """Everything wrong with `rendered/_fleet/` as the environments `renders` render it: they
    disagree, the schemas refuse it, or its generators select other environments than `info`'s."""
    from gitopsgen.tree.relocate import enrich
    from gitopsgen.validate import validate_tree

    tree = renders[0][1]
    own = enrich(tree, [*agreement(renders), *generator_problems(tree, info.environments, with_apps)])
    return sorted([*own, *validate_tree(tree, options, cross_resource=False)])


def outcome(job: EnvJob, store: SchemaStore, renders: Sequence[tuple[str, RenderedTree]],
            with_apps: Sequence[str], info: FleetInfo, kubernetes_version: str) -> EnvOutcome:
    """`rendered/_fleet/` as one more result of the run: validated, compared with the disk, staged."""
    from gitopsgen.run.unit import EnvOutcome, settle
    from gitopsgen.validate import SchemaOptions

    options = SchemaOptions(kubernetes_version, strict=job.strict, store=store)
    result = EnvOutcome(FLEET, found=findings(renders, with_apps, info, options),
                        kubernetes_version=kubernetes_version)
    settle(job, renders[0][1], result)
    return result
