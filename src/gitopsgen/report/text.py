"""Plain-text reporting for the terminal and CI logs. Only this layer prints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from gitopsgen.core.problems import Problem, Severity
from gitopsgen.facts.layout import RENDERED
from gitopsgen.run.results import EnvResult, RenderResult
from gitopsgen.tree.write import Change


def problems(items: Iterable[Problem], out: TextIO, *, min_severity: Severity = Severity.WARNING) -> None:
    for problem in sorted(items):
        if problem.severity >= min_severity:
            print(problem.format(), file=out)


def render_result(result: RenderResult, out: TextIO, err: TextIO, *, verbose: bool = False) -> None:
    minimum = Severity.INFO if verbose else Severity.WARNING
    for env in result.envs:
        problems(env.problems, err, min_severity=minimum)
    for env in result.envs:
        where = f"{result.target}/{env.env}"
        if env.invalid:
            errors = sum(p.severity >= Severity.ERROR for p in env.problems)
            print(f"{where}: not written: {errors} error{'s' if errors != 1 else ''} in the rendered output",
                  file=err)
            continue
        if result.stream:
            continue
        for path in env.kept:  # never a silent loss: a file gitopsgen did not write is named, kept or removed
            print(f"{where}/{path}: kept, not written by gitopsgen (`gitopsgen render --prune` removes it)", file=out)
        if env.written:
            for path in env.pruned:
                print(f"{where}/{path}: removed, not written by gitopsgen (--prune)", file=out)
        if result.check:
            for change in env.changes:
                print(f"{where}/{change.path}: {_drift_words[change.change]}", file=out)
                for line in _drift_preview(env, change.path, where):
                    print(f"    {line}", file=out)
            state = (f"{len(env.changes)} file{'s' if len(env.changes) != 1 else ''} out of sync"
                     if env.changes else "in sync")
            print(f"{where}: {state}", file=out)
            continue
        if not env.changes:
            print(f"{where}: up to date ({env.files} files)", file=out)
            continue
        if not env.written:  # valid, but another environment is not: a run writes all of them or none
            count = len(env.changes)
            print(f"{where}: not written ({count} file{'s' if count != 1 else ''} would change): the run writes "
                  "every environment or none", file=out)
            continue
        counts = {c: sum(1 for x in env.changes if x.change is c) for c in Change}
        detail = ", ".join(f"{n} {c.value}" for c, n in counts.items() if n)
        print(f"{where}: written, {detail} ({env.files} files)", file=out)
    for orphan in result.orphans:
        state = f"no environments/{orphan}.yaml produces it"
        print(f"{RENDERED}/{orphan}: {state}" + ("" if result.check else "; removed"), file=out)
    if result.check and (result.orphans or any(e.changes for e in result.envs if not e.invalid)):
        stale = " ".join(e.env for e in result.envs if e.changes)
        command = f"gitopsgen render {stale}" if stale and not result.orphans else "gitopsgen render --all"
        if result.target != RENDERED:
            command += f" --output {result.target}"
        print(f"{result.target}/ is stale: run `{command}` and commit the result", file=err)


PREVIEW_LINES = 12


def _drift_preview(env: EnvResult, path: str, where: str) -> list[str]:
    """A few lines of unified diff (on disk -> render) for a file that is on disk and differs."""
    from gitopsgen.diff.textdiff import bounded, decode, unified

    text = env.texts.get(path)
    if text is None and path in env.tree.files:
        text = env.tree.files[path].text
    if path not in env.stale or text is None:
        return []
    lines = unified(decode(env.stale[path]), text, f"{where}/{path}", f"{where}/{path}")[2:]
    shown, more = bounded(lines, PREVIEW_LINES)
    if more:
        shown.append(f"... {more} more line{'s' if more != 1 else ''}: `gitopsgen diff {env.env}` shows every change")
    return shown


_drift_words = {
    Change.ADDED: "missing (the render produces it)",
    Change.MODIFIED: "differs from the render",
    Change.REMOVED: "not produced by the render (stale or hand-made)",
}


def validate_result(problems: Sequence[Problem], out: TextIO, *, targets: Sequence[str] = (), documents: int = 0,
                    min_severity: Severity = Severity.WARNING, skipped: Mapping[str, int] | None = None) -> None:
    """Findings of `gitopsgen validate`, then one summary line."""
    shown = [p for p in sorted(problems) if p.severity >= min_severity]
    for problem in shown:
        print(problem.format(), file=out)
    counts = {s: sum(p.severity is s for p in problems) for s in Severity}
    what = ", ".join(targets) if len(targets) <= 5 else f"{len(targets)} files"
    words = [f"{counts[Severity.ERROR]} error{'s' if counts[Severity.ERROR] != 1 else ''}",
             f"{counts[Severity.WARNING]} warning{'s' if counts[Severity.WARNING] != 1 else ''}"]
    if counts[Severity.INFO]:
        words.append(f"{counts[Severity.INFO]} note{'s' if counts[Severity.INFO] != 1 else ''}"
                     + ("" if min_severity <= Severity.INFO else " (-v shows them)"))
    left = ""
    if skipped:
        reasons = ", ".join(f"{count} {why}" for why, count in sorted(skipped.items()))
        left = f" ({sum(skipped.values())} skipped: {reasons})"
    print(f"validated {documents} documents{left} of {what or 'nothing'}: {', '.join(words)}", file=out)
