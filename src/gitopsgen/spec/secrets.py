"""Refuse literal secrets in specs.

Specs name Doppler secrets; values never belong in Git. Field types already force `...Key` fields
to be UPPER_SNAKE_CASE names, which no real token looks like. This scan catches the rest: a token
pasted into a free-text field, or a non-secret `env` entry whose name says it is a secret. The
shapes themselves are in `gitopsgen.secret_shapes`, shared with the rendered-output rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitopsgen.secret_shapes import SECRET_NAME, find_secret
from gitopsgen.yamlio import iter_paths


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
