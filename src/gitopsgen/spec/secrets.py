"""Refuse literal secrets in specs (and, via `find_secret`, in rendered output).

Specs name Doppler secrets; values never belong in Git. Field types already force `...Key` fields
to be UPPER_SNAKE_CASE names, which no real token looks like. This scan catches the rest: a token
pasted into a free-text field, or a non-secret `env` entry whose name says it is a secret.
The patterns are the well-known, low-false-positive shapes (the ones gitleaks and GitHub secret
scanning key on), not an entropy guess: a tunnel UUID or an image digest must not trip it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitopsgen.yamlio import iter_paths

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("a Doppler token", re.compile(r"\bdp\.(st|pt|sa|ct|scim|audit)\.[A-Za-z0-9._-]{16,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}")),
    ("a Cloudflare tunnel secret", re.compile(r"TunnelSecret")),
    ("a Tailscale key", re.compile(r"\btskey-[a-z]+-[A-Za-z0-9]{8,}")),
    ("credentials in a URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
]

SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.IGNORECASE)


def find_secret(value: str) -> str | None:
    """What kind of secret `value` looks like, or None."""
    for what, pattern in _PATTERNS:
        if pattern.search(value):
            return what
    return None


def scan(data: Any) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(path, message, hint) for every literal secret found in spec data."""
    for path, value in iter_paths(data):
        if isinstance(value, str) and (what := find_secret(value)):
            yield path, f"looks like {what}: secret values never go into a spec", (
                "store it in Doppler and reference its name in a ...Key field or app.secrets")
    env = data.get("app", {}).get("env", {}) if isinstance(data.get("app"), dict) else {}
    if isinstance(env, dict):
        for name in env:
            if isinstance(name, str) and SECRET_NAME.search(name):
                yield ("app", "env", name), (
                    "names a secret but sits in the non-secret env map"), (
                    f"move it to app.secrets as {name}: <DOPPLER_SECRET_NAME>")
