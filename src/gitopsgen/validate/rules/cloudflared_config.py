"""cloudflared-config: the committed tunnel config passes the rules cloudflared enforces (DOMAIN section 5, X20).

Runs `gitopsgen.validate.cloudflared` on `config/cloudflared/config.yaml`: at least one ingress
rule; URL services with a scheme and a host and no path (`http://svc:80/` counts as a path);
hostnames without a port and with `*` only as a leading `*.`; exactly one catch-all rule, the last
one; valid path regexes and `http_status` codes (100-999); Access `teamName` when `audTag` is
required; plus a fixed `metrics` host:port, `tunnel` and `credentials-file`. cloudflared would
refuse to start with most of these (`cloudflared tunnel ingress validate` shows the same).
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.manifests import RenderedTree
from gitopsgen.problems import Problem
from gitopsgen.validate import cloudflared
from gitopsgen.validate.rules import DISPLAY_PREFIX
from gitopsgen.validate.rules._platform import CLOUDFLARED_CONFIG

ID = cloudflared.RULE


def check(tree: RenderedTree) -> Iterator[Problem]:
    rendered = tree.files.get(CLOUDFLARED_CONFIG)
    if rendered is not None:
        yield from cloudflared.check_rendered(rendered, f"{DISPLAY_PREFIX}/{tree.env}/{CLOUDFLARED_CONFIG}")
