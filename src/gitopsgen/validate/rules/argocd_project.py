"""argocd-project: every Application is confined by its environment's AppProject.

The `default` project lets an Application deploy any repository to any cluster and namespace,
cluster-scoped kinds included. Every Application of the tree therefore:

* names a project other than `default` that the tree renders (an AppProject in the
  Application's namespace; a project that is not rendered is a warning: it may exist outside the
  tree, but then no review shows what it allows);
* if nothing in the tree deploys it (the app of apps), uses a project of its own, not the one of
  the Applications it creates;
* reads only repositories its project's `sourceRepos` admit, and deploys to a destination (server
  or cluster name, and namespace) its `destinations` admit; so do the namespaces of the objects
  its Git sources deploy;
* deploys only cluster-scoped kinds its project's `clusterResourceWhitelist` admits (an entry's
  `name` is matched too): for Git sources the rendered objects, for Helm sources the kinds the
  pinned chart creates (`domain.CHART_CLUSTER_KINDS`). Argo CD refuses the sync otherwise
  ("resource ... is not permitted in project");
* is synced after its project when both come from the same parent (a lower sync wave on the
  AppProject), or the first sync fails on a project that does not exist yet.

Patterns are Argo CD's globs; a leading `!` denies.

Upstream: Argo CD docs/user-guide/projects.md ("The Default Project", "Restrict Cluster-Scoped
Resources by Name"), docs/operator-manual/project-specification.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import Manifest, RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-project"


@lru_cache(maxsize=4096)
def _match(value: str, pattern: str) -> bool:
    # An environment asks the same few (value, pattern) pairs for every object it deploys.
    return fnmatchcase(value, pattern)


def permitted(value: str, patterns: list[Any]) -> bool:
    """Argo CD's rule: some allowing pattern matches and no `!` pattern matches."""
    allowed = False
    for pattern in patterns:
        text = str(pattern)
        if text.startswith("!"):
            if _match(value, text[1:]):
                return False
        elif not allowed and _match(value, text):
            allowed = True
    return allowed


def _destination_ok(destinations: list[Any], target: dict[str, Any], namespace: str) -> bool:
    for entry in destinations:
        if not isinstance(entry, dict):
            continue
        key = "server" if target.get("server") else "name"
        if key not in entry or not permitted(str(target.get(key)), [entry[key]]):
            continue
        if permitted(namespace, [entry.get("namespace", "")]):
            return True
    return False


def _whitelisted(whitelist: list[Any], group: str, kind: str, name: str | None) -> bool:
    for entry in whitelist:
        if not isinstance(entry, dict):
            continue
        if _match(group, str(entry.get("group", ""))) and _match(kind, str(entry.get("kind", ""))) and \
                (entry.get("name") is None or (name is not None and _match(name, str(entry["name"])))):
            return True
    return False


def check(tree: RenderedTree) -> Iterator[Finding]:
    projects = {(d.ident.namespace, d.ident.name): d for d in tree.manifests("AppProject", domain.ARGOCD_API_VERSION)}
    parents = toolkit.parents(tree)
    apps = list(toolkit.applications(tree))
    child_projects = {dig(app.data, "spec", "project") for app in apps if (app.file, app.index) in parents}
    for app in apps:
        name = dig(app.data, "spec", "project")
        if not isinstance(name, str):
            continue  # argocd-destination reports it
        if name == "default":
            yield Finding(("spec", "project"), "uses the default project, which allows any repository, "
                          "cluster, namespace and kind", hint="give the environment an AppProject of its own", doc=app)
            continue
        project = projects.get((app.ident.namespace, name))
        if project is None:
            yield Finding(("spec", "project"), f"project {name!r} is not rendered in this tree",
                          severity=Severity.WARNING, hint="render the AppProject beside the Applications using it",
                          doc=app)
            continue
        is_root = (app.file, app.index) not in parents
        if is_root and name in child_projects:
            yield Finding(("spec", "project"), f"the app of apps shares project {name!r} with the Applications "
                          "it creates", hint="give the root a project that may only create Applications", doc=app)
        yield from _confined(tree, app, project)
        parent = parents.get((app.file, app.index))
        if parent is not None and parents.get((project.file, project.index)) is parent and \
                (toolkit.wave(project) or 0) >= (toolkit.wave(app) or 0):
            yield Finding(("metadata",), f"syncs no earlier than Application {app.ident.name} that "
                          "uses it", hint="give the AppProject a lower argocd.argoproj.io/sync-wave", doc=project)


def _confined(tree: RenderedTree, app: Manifest, project: Manifest) -> Iterator[Finding]:
    spec = project.data.get("spec") or {}
    repos = spec.get("sourceRepos") or []
    for source in toolkit.sources(app):
        repo = source.data.get("repoURL")
        if isinstance(repo, str) and not permitted(repo, repos):
            yield Finding((*source.path, "repoURL"), f"repository {repo} is not among the sourceRepos of "
                          f"project {project.ident.name!r}", doc=app)
    destinations = spec.get("destinations") or []
    target = dig(app.data, "spec", "destination", default={}) or {}
    namespace = str(target.get("namespace") or "")
    if not _destination_ok(destinations, target, namespace):
        yield Finding(("spec", "destination"), f"destination {target.get('server') or target.get('name')}/"
                      f"{namespace} is not among the destinations of project {project.ident.name!r}", doc=app)
    whitelist = spec.get("clusterResourceWhitelist") or []
    for doc in toolkit.deployed(tree, app):
        ident = doc.identity
        if ident is None:
            continue
        if (ident.group, ident.kind) in domain.CLUSTER_SCOPED_KINDS:
            if not _whitelisted(whitelist, ident.group, ident.kind, ident.name):
                yield Finding(("metadata", "name"), f"cluster-scoped {ident.kind} {ident.name!r} is not in the "
                              f"clusterResourceWhitelist of project {project.ident.name!r}", doc=doc)
        elif ident.namespace and ident.namespace != namespace and \
                not _destination_ok(destinations, target, ident.namespace):
            yield Finding(("metadata", "namespace"), f"namespace {ident.namespace!r} is not among the "
                          f"destinations of project {project.ident.name!r}", doc=doc)
    for source in toolkit.sources(app):
        chart = source.chart
        for group, kind in domain.CHART_CLUSTER_KINDS.get(chart or "", ()):
            if not _whitelisted(whitelist, group, kind, None):
                yield Finding((*source.path, "chart"), f"chart {chart} creates {kind} ({group or 'core'}), which "
                              f"project {project.ident.name!r} does not whitelist", doc=app)
