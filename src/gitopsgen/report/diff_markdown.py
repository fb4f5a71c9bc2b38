"""`gitopsgen diff --format markdown`: a pull-request comment a reviewer reads at a glance.

The comment starts with a hidden marker line (`MARKER`) so a CI job can find and update its own
previous comment. Then the summary, which is never shortened: a table per environment with
added/changed/removed/moved counts, delete-and-create warnings and chart changes (with what the
chart-aware diff found, or why it could not look). Then one collapsible `<details>` section per
object with its changed fields and unified diff, then, per changed chart, one per object the chart
deploys. GitHub refuses comments over 65,536 characters: past `limit`, sections (chart objects
included) lose their diff, then are left out, and a note says so and how to see everything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import TextIO

from gitopsgen.diff.model import DiffResult, Entry, EnvStatus, Status
from gitopsgen.report.diff_common import chart_line, counts_text, env_state, rename_text, side_text, value_text

MARKER = "<!-- gitopsgen-diff -->"
LIMIT = 65_000
_RESERVE = 600  # room for the truncation note
_FIELD_ROWS = 50


def _code(text: str) -> str:
    """Inline code that survives a table cell: HTML-escaped, pipes as entities."""
    return "<code>" + html.escape(text, quote=False).replace("|", "&#124;") + "</code>"


def _fence(lines: list[str], lang: str) -> str:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n" + "\n".join(lines) + f"\n{fence}\n"


class MarkdownReporter:
    name = "markdown"

    def __init__(self, *, limit: int = LIMIT) -> None:
        self.limit = limit

    def write(self, result: DiffResult, out: TextIO) -> None:
        out.write(self.render(result))

    def render(self, result: DiffResult) -> str:
        summary = self.summary(result)
        budget = self.limit - len(summary) - _RESERVE
        parts: list[str] = []
        used = 0
        shortened = left_out = 0
        compact = False
        for header, entries in self.groups(result):
            header_done = False
            for i, entry in enumerate(entries):
                section = self.compact(entry) if compact else self.details(entry)
                if not compact and used + len(header) + len(section) > budget:
                    compact = True
                    section = self.compact(entry)
                if used + len(section) + (0 if header_done else len(header)) > budget:
                    left_out += len(entries) - i
                    break
                if not header_done:
                    parts.append(header)
                    used += len(header)
                    header_done = True
                parts.append(section)
                used += len(section)
                shortened += compact
        text = summary + "".join(parts)
        if shortened or left_out:
            text += self.truncation_note(result, shortened, left_out)
        return text

    def groups(self, result: DiffResult) -> Iterator[tuple[str, list[Entry]]]:
        """(heading, entries) in order: each environment's objects, then what each of its charts
        deploys (the chart-aware diff), all under the same size budget."""
        for env in result.envs:
            if not env.entries:
                continue
            yield f"### {_code(env.env)}: {html.escape(env_state(env))}\n\n", env.entries
            for chart in env.charts:
                if chart.objects:
                    versions = (chart.new_version if chart.old_version == chart.new_version
                                else f"{chart.old_version} → {chart.new_version}")
                    yield (f"#### {_code(env.env)}: chart {_code(chart.chart)} {html.escape(str(versions))} of "
                           f"Application {_code(chart.application)}, what it deploys: "
                           f"{html.escape(counts_text(chart.objects))}\n\n"), chart.objects

    def summary(self, result: DiffResult) -> str:
        lines = [MARKER, "## gitopsgen diff", "",
                 f"{_code(side_text(result.base))} → {_code(side_text(result.head))}", ""]
        for notice in result.notices:
            lines += ["> [!NOTE]", f"> {html.escape(notice)}", ""]
        lines += [
                 "| environment | added | changed | removed | moved |", "|:--|--:|--:|--:|--:|"]
        for env in result.envs:
            counts = env.counts()
            state = {EnvStatus.ADDED: " (new environment)", EnvStatus.REMOVED: " (environment deleted)",
                     EnvStatus.UNCHANGED: " (no differences)"}.get(env.status, "")
            lines.append(f"| {_code(env.env)}{state} | " + " | ".join(str(counts[s]) for s in Status) + " |")
        lines.append("")
        if not result.differs:
            lines += ["No differences.", ""]
        for env in result.envs:
            for note in env.notes:
                lead = "The edge switches" if note.kind == "edge-switch" else "Delete and create on the cluster"
                lines += ["> [!WARNING]", f"> **{lead}** ({_code(env.env)}): {html.escape(note.message)}", ""]
            for chart in env.charts:
                lines += [f"- {_code(env.env)}: {html.escape(chart_line(chart))}"]
            if env.charts:
                lines.append("")
            for path in env.formatting_only:
                lines.append(f"- {_code(env.env)}: {_code(path)}: formatting differs, content is the same")
            if env.formatting_only:
                lines.append("")
        return "\n".join(lines) + "\n"

    def title(self, entry: Entry) -> str:
        where = _code(entry.path)
        if entry.moved:
            assert entry.old is not None and entry.new is not None
            where = f"moved from {_code(entry.old.path)} to {_code(entry.new.path)}"
        if entry.renamed is not None:
            where += f" · {html.escape(rename_text(entry))}"
        count = f" · {len(entry.fields)} field{'s' if len(entry.fields) != 1 else ''}" if entry.fields else ""
        return f"<b>{entry.status.value}</b> {_code(entry.title)} · {where}{count}"

    def details(self, entry: Entry) -> str:
        body: list[str] = []
        if entry.fields:
            body += ["| field | old | new |", "|:--|:--|:--|"]
            for change in entry.fields[:_FIELD_ROWS]:
                body.append(f"| {_code(change.dotted)} | {_code(value_text(change.old))} | "
                            f"{_code(value_text(change.new))} |")
            if len(entry.fields) > _FIELD_ROWS:
                body.append(f"| … {len(entry.fields) - _FIELD_ROWS} more fields (see the diff) | | |")
            body.append("")
        if entry.diff:
            body.append(_fence(entry.diff, "diff"))
        if not body:
            return f"- {self.title(entry)}\n\n"
        inner = "\n".join(body)
        return f"<details><summary>{self.title(entry)}</summary>\n\n{inner}\n</details>\n\n"

    def compact(self, entry: Entry) -> str:
        return f"- {self.title(entry)} (details left out: comment size limit)\n\n"

    def truncation_note(self, result: DiffResult, shortened: int, left_out: int) -> str:
        what = []
        if shortened:
            what.append(f"{shortened} object{'s' if shortened != 1 else ''} listed without details")
        if left_out:
            what.append(f"{left_out} object{'s' if left_out != 1 else ''} not listed")
        envs = " ".join(e.env for e in result.envs if e.differs) or "--all"
        base = f" --base {result.base.label}" if result.base.commit else ""
        head = f" --head {result.head.label}" if result.head.commit else ""
        return ("\n> [!NOTE]\n> This comment is shortened to stay within GitHub's size limit: "
                f"{', '.join(what)}. The summary above is complete; for every change run "
                f"`gitopsgen diff {envs}{base}{head}`.\n")
