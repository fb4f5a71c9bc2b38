"""The fast path's off switch: validation with no shortcut, to compare against (tests, benchmarks).

Validation takes shortcuts that must never change a finding: a compiled jsonschema-rs validator
answers "valid?" before jsonschema explains a failure (`validate.compiled`), a tree answers
"which documents of this kind?" from an index built once (`tree.manifests.TreeIndex`), and the secret
scan runs once per tree. `with fastpath.disabled():` turns them all off, so a test can check that
both ways give the same problems, and a benchmark can show what the shortcuts are worth.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ENABLED: ContextVar[bool] = ContextVar("gitopsgen_fast_path", default=True)


def enabled() -> bool:
    return _ENABLED.get()


@contextmanager
def disabled() -> Iterator[None]:
    """Within the block, every check takes the reference path."""
    token = _ENABLED.set(False)
    try:
        yield
    finally:
        _ENABLED.reset(token)
