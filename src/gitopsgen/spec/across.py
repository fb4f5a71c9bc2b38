"""Environments compared with each other from their specs, wherever a run starts.

`render stg` and `validate stg` compare stg with every other environment of the repository, as
`--all` does: a new environment copied from prd that keeps prd's tunnel, hostname, cluster or
backup path is refused before anything renders, at the line of its own spec, naming the line of
the other environment's spec. One cause gives one problem: the cluster two environments share is
one finding, not one per Namespace the rendered trees would then both create.

What two environments must not share (errors):

* the cluster (`argocd.destination`): each environment installs the operators, their CRDs, the
  ClusterSecretStore and the operator namespaces, so two environments on one cluster would own
  the same cluster-scoped objects and Namespaces;
* the public hostname (`app.hostname`): one DNS record, one tunnel route;
* the tunnel (`edge.tunnelId`): cloudflared replicas of two environments would serve each
  other's traffic;
* the external-dns owner (`externalDns.txtOwnerId`): each would delete the other's records;
* the backup destination (`postgres.backup.destinationPath`): two clusters archiving WAL to one
  object store path overwrite each other's archive, and a recovery restores the wrong database
  (CloudNativePG refuses to archive into a non-empty path only at the first backup).

An environment whose spec does not load is left out: its own run reports why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitopsgen.core.errors import SpecError
from gitopsgen.core.problems import Problem, dotted
from gitopsgen.spec import LoadedSpec, list_environments, load
from gitopsgen.spec.models import BarmanCloudBackup, CloudflareEdge, Environment

RULE = "spec-across"
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Shared:
    """A value two environments must not share."""

    path: YamlPath
    value: Callable[[Environment], Any]
    what: str
    hint: str


SHARED = (
    Shared(("argocd", "destination"),
           lambda m: m.argocd.destination.server or f"name {m.argocd.destination.name}",
           "cluster", "give each environment its own cluster: the operators, their CRDs, the ClusterSecretStore "
                      "and the operator namespaces are installed per environment"),
    Shared(("app", "hostname"), lambda m: m.app.hostname, "public hostname", "give each environment its own hostname"),
    Shared(("edge", "tunnelId"), lambda m: m.edge.tunnel_id if isinstance(m.edge, CloudflareEdge) else None,
           "Cloudflare tunnel", "create a tunnel per environment (cloudflared tunnel create)"),
    Shared(("externalDns", "txtOwnerId"), lambda m: m.external_dns.txt_owner_id if m.external_dns else None,
           "external-dns owner id", "give each environment its own txtOwnerId"),
    Shared(("postgres", "backup", "destinationPath"),
           lambda m: m.postgres.backup.destination_path if isinstance(m.postgres.backup, BarmanCloudBackup) else None,
           "backup destination", "give each environment its own object store path, e.g. s3://<bucket>/<env>"),
)


def _loaded(root: Path) -> dict[str, LoadedSpec]:
    found = {}
    for name in list_environments(root):
        try:
            found[name] = load(root, name)
        except SpecError:
            continue
    return found


def _where(spec: LoadedSpec, path: YamlPath) -> tuple[str, int | None, int | None]:
    loc = spec.source.locate(path)
    return loc.file, loc.line, loc.column


def compare(specs: dict[str, LoadedSpec], targets: Sequence[str]) -> Iterator[Problem]:
    """Problems of each target against every other environment; with several targets each pair
    once, at the later environment (sorted by name)."""
    names = sorted(specs)
    for target in sorted(set(targets) & set(specs)):
        mine = specs[target]
        others = [n for n in names if n != target and (n not in targets or n < target)]
        for shared in SHARED:
            value = shared.value(mine.model)
            if value is None:
                continue
            clash = next((n for n in others if shared.value(specs[n].model) == value), None)
            if clash is None:
                continue
            file, line, column = _where(mine, shared.path)
            other_file, other_line, _ = _where(specs[clash], shared.path)
            yield Problem(file, line, column, dotted(shared.path),
                          f"environment {target} has the {shared.what} of environment {clash} "
                          f"({other_file}:{other_line}): {value}", rule=RULE, hint=shared.hint)


def problems(root: Path, targets: Sequence[str]) -> list[Problem]:
    """Every clash of `targets` with the other environments of the repository at `root`."""
    return sorted(compare(_loaded(root), targets))


def refuse(root: Path, targets: Sequence[str]) -> None:
    """Raise SpecError (exit 2, nothing rendered) when a target clashes with another environment."""
    found = problems(root, targets)
    if found:
        raise SpecError(found)
