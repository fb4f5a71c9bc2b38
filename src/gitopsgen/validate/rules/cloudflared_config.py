"""cloudflared-config: the committed tunnel config passes the rules cloudflared enforces.

Facts: docs/components.md §5.

`rendered/<env>/config/cloudflared/config.yaml` is checked with `gitopsgen.validate.cloudflared`,
our implementation of cloudflared's own ingress validation (cloudflare/cloudflared @ 2026.8.2,
ingress/ingress.go `validateIngress`): at least one rule, the last one a catch-all and only the
last, URL services with a scheme and a host and no path, no port in a hostname, `*` only as a
leading `*.`, `http_status` codes 100-999, compilable `path` regexes, Access rules with a team
name; plus our lints: `tunnel`, `credentials-file` and a fixed `metrics` address are set. A broken
config fails the render instead of crash-looping the cloudflared Deployment.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import cloudflared
from gitopsgen.validate.toolkit import Finding, cloudflared_config

ID = cloudflared.RULE


def check(tree: RenderedTree) -> Iterator[Finding]:
    config = cloudflared_config(tree)
    if config is not None:
        for found in cloudflared.check_config(config.data):
            yield Finding(found.path, found.message, severity=found.severity, hint=found.hint, doc=config)
