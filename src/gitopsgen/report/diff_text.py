"""`gitopsgen diff --format text`: for a terminal or a CI log. Colour only when asked or on a terminal.

    dev: 1 changed
      ~ Deployment example-dev/example-api  (manifests/example-api/deployment.yaml)
          spec.replicas: 1 -> 2
          --- a/rendered/dev/manifests/example-api/deployment.yaml
          +++ b/rendered/dev/manifests/example-api/deployment.yaml
          @@ ...
      * chart reloader of Application reloader: values changed (values/reloader.yaml); what it deploys: 1 changed
          ~ Deployment reloader/reloader-reloader  (reloader/templates/deployment.yaml)
              spec.template.spec.containers[0].args[1]: --auto-reload-all=false -> --auto-reload-all=true

A chart's objects (the chart-aware diff) are listed under its line, indented one step more.
"""

from __future__ import annotations

import os
from typing import TextIO

from gitopsgen.diff.model import DiffResult, Entry, EnvDiff, EnvStatus, Status
from gitopsgen.report.diff_common import SYMBOLS, chart_line, env_state, field_line, heading, rename_text

_CODES = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "cyan": "36", "magenta": "35"}
_STATUS_COLOR = {Status.ADDED: "green", Status.CHANGED: "yellow", Status.REMOVED: "red", Status.MOVED: "cyan"}


def use_color(mode: str, out: TextIO) -> bool:
    """`always`, `never`, or `auto`: a terminal, unless NO_COLOR is set (no-color.org) or TERM=dumb."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


class TextReporter:
    name = "text"

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def paint(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        return "".join(f"\033[{_CODES[s]}m" for s in styles) + text + "\033[0m"

    def write(self, result: DiffResult, out: TextIO) -> None:
        print(self.paint(f"gitopsgen diff: {heading(result)}", "bold"), file=out)
        for notice in result.notices:
            print(f"note: {notice}", file=out)
        for env in result.envs:
            self.environment(env, out)

    def environment(self, env: EnvDiff, out: TextIO) -> None:
        print(self.paint(f"{env.env}: {env_state(env)}", "bold"), file=out)
        for note in env.notes:
            lead = "edge switch" if note.kind == "edge-switch" else "delete and create"
            print(self.paint(f"  ! {lead}: {note.message}", "magenta", "bold"), file=out)
        for chart in env.charts:
            print(f"  * {chart_line(chart)}", file=out)
            for entry in chart.objects or []:
                self.entry(entry, out, body=True, indent="      ")
        whole_env = env.status in (EnvStatus.ADDED, EnvStatus.REMOVED)
        for entry in env.entries:
            self.entry(entry, out, body=not whole_env)
        for path in env.formatting_only:
            print(f"  = {path}: formatting differs, content is the same", file=out)

    def entry(self, entry: Entry, out: TextIO, *, body: bool, indent: str = "  ") -> None:
        where = entry.path
        if entry.moved:
            assert entry.old is not None and entry.new is not None
            where = f"moved from {entry.old.path} to {entry.new.path}"
        if entry.renamed is not None:
            where += f"; {rename_text(entry)}"
        symbol = SYMBOLS[entry.status.value]
        print(self.paint(f"{indent}{symbol} {entry.title}", _STATUS_COLOR[entry.status], "bold") + f"  ({where})",
              file=out)
        if not body:
            return
        inner = indent + "    "
        for change in entry.fields:
            print(f"{inner}{field_line(change)}", file=out)
        for line in entry.diff:
            print(inner + self.diff_line(line), file=out)

    def diff_line(self, line: str) -> str:
        if line.startswith(("---", "+++")):
            return self.paint(line, "bold")
        if line.startswith("@@"):
            return self.paint(line, "cyan")
        if line.startswith("+"):
            return self.paint(line, "green")
        if line.startswith("-"):
            return self.paint(line, "red")
        return line
