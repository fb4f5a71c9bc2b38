"""Semantic diff of rendered trees: on disk against a fresh render, or between two git refs.

    from gitopsgen.diff import DiffOptions, diff
    result = diff(DiffOptions(root, all_envs=True, base="origin/main"))
    result.exit_code  # 0 no differences, 1 differences; bad input raises GitopsgenError (exit 2)

Modules: `run` (sides and environments), `gitrefs` (inputs at a ref, plumbing only), `sides`
(trees on disk and renders), `engine` (object matching), `fields` (field changes), `redact`,
`notes` (delete-and-create, chart changes), `model` (the result), `textdiff` (unified diffs);
the chart-aware diff: `charts` (render changed charts at both sides with Helm, compare),
`helmvalues` (what Argo CD passes Helm), `chartcache` (archives: the cache, `--fetch-charts`).
Reporters live in `gitopsgen.report.diff_*`.
"""

from gitopsgen.diff.engine import compare_trees
from gitopsgen.diff.model import (
    ChartChange,
    DiffResult,
    Entry,
    EnvDiff,
    EnvStatus,
    FieldChange,
    Key,
    Note,
    Redacted,
    Side,
    SideLabel,
    Status,
)
from gitopsgen.diff.run import DiffOptions, diff

__all__ = [
    "ChartChange", "DiffOptions", "DiffResult", "Entry", "EnvDiff", "EnvStatus", "FieldChange", "Key", "Note",
    "Redacted", "Side", "SideLabel", "Status", "compare_trees", "diff",
]
