"""external-dns-values: External-DNS is configured for Cloudflare explicitly.

Facts: docs/components.md §6.

Checked on `values/external-dns.yaml` when the tree renders it (docs/components.md §6):

* `provider` is `cloudflare` (string or `{name: cloudflare}`);
* `policy` is set explicitly: chart 1.21.1 defaults to `upsert-only`, chart HEAD makes it
  required and binary v0.22.0 has no default;
* `txtOwnerId` is set and not the flag default `default`, so two clusters never claim each
  other's records;
* `CF_API_TOKEN` comes from a secretKeyRef, never a literal value, and not together with the
  legacy `CF_API_KEY`/`CF_API_EMAIL` (they must not coexist). Whether that Secret exists is
  checked by `secret-refs-resolve`.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.toolkit import Finding, dig, values_doc

ID = "external-dns-values"


def check(tree: RenderedTree) -> Iterator[Finding]:
    doc = values_doc(tree, "external-dns")
    if doc is None or not isinstance(doc.data, dict):
        return
    values = doc.data
    provider = values.get("provider")
    name = provider.get("name") if isinstance(provider, dict) else provider
    if name != "cloudflare":
        yield Finding(("provider",) if "provider" in values else (),
                      f"provider is {name!r}, not cloudflare", doc=doc)
    if not values.get("policy"):
        yield Finding((), "policy is not set explicitly",
                      hint="set policy: sync (or upsert-only); the default changes between versions", doc=doc)
    owner = values.get("txtOwnerId")
    if not owner or owner == "default":
        yield Finding(("txtOwnerId",) if "txtOwnerId" in values else (),
                      f"txtOwnerId is {owner!r}: set one unique per cluster", doc=doc)
    env = {e.get("name"): (i, e) for i, e in enumerate(values.get("env") or []) if isinstance(e, dict)}
    if "CF_API_TOKEN" not in env:
        yield Finding(("env",) if "env" in values else (), "CF_API_TOKEN is not set", doc=doc)
    else:
        i, entry = env["CF_API_TOKEN"]
        if not isinstance(dig(entry, "valueFrom", "secretKeyRef"), dict):
            yield Finding(("env", i), "CF_API_TOKEN must come from a secretKeyRef", doc=doc)
    for legacy in ("CF_API_KEY", "CF_API_EMAIL"):
        if legacy in env and "CF_API_TOKEN" in env:
            yield Finding(("env", env[legacy][0]), f"{legacy} must not coexist with CF_API_TOKEN", doc=doc)
