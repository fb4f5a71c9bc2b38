"""cross-dns-owner: no two environments' External-DNS own the same records.

External-DNS marks the records it manages with TXT records carrying its `txtOwnerId`, and with
`policy: sync` deletes records of its owner id that its own cluster no longer declares. Two
environments with the same `txtOwnerId` and overlapping `domainFilters` (equal, or one a
subdomain of the other) therefore delete each other's records on every loop. Each environment
needs its own owner id.

Upstream: kubernetes-sigs/external-dns docs/registry/txt.md (ownership by owner id), docs on
`--policy` and `--domain-filter`, docs/components.md §6. Run by `render --all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import CrossFinding, Site, dig, values_doc

ID = "cross-dns-owner"


def _overlap(a: list[str], b: list[str]) -> list[str]:
    return sorted({x for x in a for y in b if x == y or x.endswith("." + y) or y.endswith("." + x)})


def check_all(trees: Sequence[RenderedTree]) -> Iterator[CrossFinding]:
    seen: list[tuple[str, list[str], Site]] = []
    for tree in trees:
        values = values_doc(tree, "external-dns")
        owner = dig(values.data, "txtOwnerId") if values is not None else None
        if values is None or not isinstance(owner, str):
            continue
        filters = [str(f) for f in dig(values.data, "domainFilters", default=[]) or []]
        site = Site(tree, values, ("txtOwnerId",))
        for other_owner, other_filters, other in seen:
            shared = _overlap(filters, other_filters) if filters and other_filters else ["(every domain)"]
            if other_owner == owner and shared:
                yield CrossFinding(site, f"environment {tree.env} uses txtOwnerId {owner!r} for {', '.join(shared)} "
                                   f"like {other}: each External-DNS deletes the other's records",
                                   hint="give every environment its own externalDns.txtOwnerId")
        seen.append((owner, filters, site))
