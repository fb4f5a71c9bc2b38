"""argocd-destination: every Application is complete and lives where Argo CD looks.

Facts: docs/components.md §7.

* `spec.destination` names the cluster by exactly one of `server` and `name` (Argo CD refuses
  both: "application destination can't have both name and server defined") and sets a
  `namespace`;
* `spec.project` is set (required by the CRD; Argo CD refuses an Application without it);
* `metadata.namespace` is set, and every Application deployed by another one of the tree (an
  app-of-apps child) is in the namespace of its parent: Argo CD only reconciles Applications in
  its own namespace unless apps-in-any-namespace is enabled;
* every child carries a resources finalizer: without it, removing the child from Git orphans
  everything it deployed. The path forms `resources-finalizer.argocd.argoproj.io/foreground`
  and `/background` (Argo CD since 2.0) choose the propagation policy; the bare name means
  foreground too, but the API server warns on every apply that a finalizer name should be
  domain-qualified with a path, so the bare name is a warning.

Upstream: Argo CD pkg/apis/application/v1alpha1/types.go (`isPropagationPolicyFinalizer`,
`GetPropagationPolicy`), application_defaults.go (the finalizer constants),
controller/appcontroller.go (foreground unless `/background`), docs/operator-manual/
app-any-namespace.md, docs/user-guide/app_deletion.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Severity
from gitopsgen.facts import domain
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import toolkit
from gitopsgen.validate.toolkit import Finding, dig

ID = "argocd-destination"


def check(tree: RenderedTree) -> Iterator[Finding]:
    parents = toolkit.parents(tree)
    for app in toolkit.applications(tree):
        destination = dig(app.data, "spec", "destination")
        if not isinstance(destination, dict):
            yield Finding(("spec",), "has no spec.destination", doc=app)
        else:
            targets = [k for k in ("server", "name") if destination.get(k)]
            if len(targets) != 1:
                yield Finding(("spec", "destination"),
                              "destination must have exactly one of server and name, has "
                              f"{' and '.join(targets) or 'neither'}", doc=app)
            if not destination.get("namespace"):
                yield Finding(("spec", "destination"), "destination has no namespace",
                              hint="set spec.destination.namespace (the default namespace of what it deploys)", doc=app)
        if not dig(app.data, "spec", "project"):
            yield Finding(("spec",), "spec.project is not set", doc=app)
        namespace = dig(app.data, "metadata", "namespace")
        if not namespace:
            yield Finding(("metadata",), "metadata.namespace is not set",
                          hint="Applications live in the Argo CD namespace, e.g. argocd", doc=app)
        parent = parents.get((app.file, app.index))
        if parent is None:
            continue
        parent_namespace = dig(parent.data, "metadata", "namespace")
        if namespace and parent_namespace and namespace != parent_namespace:
            yield Finding(("metadata", "namespace"),
                          f"is in namespace {namespace}, its parent Application in {parent_namespace}; "
                          "Argo CD only reconciles Applications in its own namespace", doc=app)
        finalizers = dig(app.data, "metadata", "finalizers", default=[])
        if not (isinstance(finalizers, list) and domain.FINALIZERS & set(map(str, finalizers))):
            yield Finding(("metadata",),
                          "child Application without the resources finalizer: deleting it would "
                          "orphan what it deployed",
                          hint=f"add metadata.finalizers: [{domain.FOREGROUND_FINALIZER}]", doc=app)
        elif domain.BARE_FINALIZER in finalizers:
            index = finalizers.index(domain.BARE_FINALIZER)
            yield Finding(("metadata", "finalizers", index),
                          f"{domain.BARE_FINALIZER} has no path: the API server warns on every apply that it "
                          "should be domain-qualified", severity=Severity.WARNING,
                          hint=f"use {domain.FOREGROUND_FINALIZER} (the same foreground cascade)", doc=app)
