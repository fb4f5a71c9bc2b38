"""What a secret value and a secret-holding name look like.

Used on specs (a token pasted into a free-text field is refused) and on rendered output (the
`no-secret-values` rule), so both sides judge alike. The patterns are the well-known,
low-false-positive shapes (the ones gitleaks and GitHub secret scanning key on), not an entropy
guess: a tunnel UUID or an image digest must not trip them. `redact` removes both known secret
values and these shapes from any text shown to users.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from gitopsgen.core import fastpath

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
"""A variable or key name that says it holds a secret."""


_TRIGGER = re.compile(r"dp\.|-----BEGIN |eyJ|gh[pousr]_|github_pat_|AKIA|ASIA|xox[baprs]-|TunnelSecret|tskey-|://")
"""What every pattern above needs somewhere in a value (its literal part): a value without any of
these is no secret, found with one search instead of one per pattern. A new pattern adds its literal
here (tests/test_secret_shapes_fast.py checks an example of each pattern passes this)."""


def find_secret(value: str) -> str | None:
    """What kind of secret `value` looks like, or None."""
    if not fastpath.enabled():
        return _find(value)
    return _find_cached(value)


def secret_finder() -> Callable[[str], str | None]:
    """`find_secret` for a loop over many values (the fast path's choice made once)."""
    return _find_cached if fastpath.enabled() else _find


def _find(value: str) -> str | None:
    for what, pattern in _PATTERNS:
        if pattern.search(value):
            return what
    return None


@functools.lru_cache(maxsize=1 << 14)
def _find_cached(value: str) -> str | None:
    # Rendered trees repeat most of their strings (names, labels, namespaces), across environments too.
    return _find(value) if _TRIGGER.search(value) is not None else None


REDACTED = "<redacted>"


def redact(text: str, known: Iterable[str] = ()) -> str:
    """`text` with every known secret value (as written, escaped or cut short the way messages
    show values) and every secret-shaped string replaced by `<redacted>`."""
    for value in known:
        if len(value) < 4:
            continue
        cut = value[:57]
        forms = (value, repr(value)[1:-1], cut + "...", repr(cut)[1:-1] + "...")
        for form in sorted(set(forms), key=len, reverse=True):
            text = text.replace(form, REDACTED)
    for what, pattern in _PATTERNS:
        if what not in _NAMES_ONLY:
            text = pattern.sub(REDACTED, text)
    return text


_NAMES_ONLY = frozenset({"a Cloudflare tunnel secret"})
"""Patterns that match a field name (`TunnelSecret`), not a value: not redacted."""
