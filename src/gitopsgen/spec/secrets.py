"""Refuse literal secrets in specs.

Specs name Doppler secrets; values never belong in Git. Field types already force `...Key` fields
to be UPPER_SNAKE_CASE names, which no real token looks like. This scan catches the rest: a token
pasted into a free-text field, or a non-secret `env` entry whose name says it is a secret. The
shapes themselves are in `gitopsgen.facts.secret_shapes`, shared with the rendered-output rule.

A value that only looks like a secret (a documentation URL with `user:password@` in it, say) is
marked as a false positive by a comment on its line, `# gitopsgen: not-a-secret`; it is then
neither refused here nor by the `no-secret-values` rule on the rendered output.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.core.problems import Finding
from gitopsgen.facts.secret_shapes import SECRET_NAME, find_secret
from gitopsgen.spec.loader import SpecSource
from gitopsgen.tree.yamlio import iter_paths

MARK_HINT = "or, if it is not a secret, end its line with `# gitopsgen: not-a-secret`"


def scan(source: SpecSource) -> Iterator[tuple[Finding, str | None]]:
    """Every literal secret found in the spec data, except values marked as not secrets, with the
    secret value itself (to redact from every other message; None for a name)."""
    data = source.data
    for path, value in iter_paths(data):
        if isinstance(value, str) and (what := find_secret(value)) and not source.marked_not_secret(path):
            yield Finding(path, f"looks like {what}: secret values never go into a spec", hint=(
                "store it in Doppler and reference its name in a ...Key field or app.secrets; " + MARK_HINT)), value
    env = data.get("app", {}).get("env", {}) if isinstance(data.get("app"), dict) else {}
    if isinstance(env, dict):
        for name in env:
            path = ("app", "env", name)
            if isinstance(name, str) and SECRET_NAME.search(name) and not source.marked_not_secret(path):
                yield Finding(path, "names a secret but sits in the non-secret env map",
                              hint=f"move it to app.secrets as {name}: <DOPPLER_SECRET_NAME>; " + MARK_HINT), \
                    env[name] if isinstance(env[name], str) else None


def marked(source: SpecSource) -> frozenset[str]:
    """Values the user marked `# gitopsgen: not-a-secret` that the scan would otherwise refuse
    (they pass the rendered-output rule too)."""
    out = set()
    for path, value in iter_paths(source.data):
        if not isinstance(value, str) or not source.marked_not_secret(path):
            continue
        secret_name = path[:2] == ("app", "env") and len(path) == 3 and SECRET_NAME.search(str(path[2]))
        if find_secret(value) or secret_name:
            out.add(value)
    return frozenset(out)
