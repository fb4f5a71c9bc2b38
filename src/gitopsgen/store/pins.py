"""The charts an environment pins (`charts.*` in the spec), and whether the schema store matches them.

A store built for another chart version validates custom resources and values against the wrong
schema: that is a warning at the pin's line in the spec, naming `gitopsgen schemas sync`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitopsgen.core.problems import Problem, Severity, dotted

if TYPE_CHECKING:
    from gitopsgen.spec import LoadedSpec
    from gitopsgen.store.locations import SchemaStore

RULE = "schema-store"


@dataclass(frozen=True, order=True)
class ChartPin:
    repo_url: str
    chart: str
    version: str
    file: str = field(default="", compare=False)
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)
    path: str = field(default="", compare=False)
    """Dotted spec path of the pin's `version`, e.g. `charts.cloudnativePg.version`."""

    def problem(self, message: str, *, rule: str = "fetch", severity: Severity = Severity.ERROR,
                hint: str | None = None) -> Problem:
        return Problem(self.file, self.line, self.column, self.path, message, rule=rule, severity=severity,
                       hint=hint)


def chart_pins(loaded: LoadedSpec) -> list[ChartPin]:
    """Every `charts.<component>` of a loaded spec, located at its `version` key."""
    pins = []
    charts = loaded.model.charts.model_dump(by_alias=True, exclude_none=True)
    for key in sorted(charts):
        pin = charts[key]
        path = ("charts", key, "version")
        loc = loaded.source.locate(path)
        pins.append(ChartPin(str(pin["repoURL"]), str(pin["chart"]), str(pin["version"]), loc.file, loc.line,
                             loc.column, dotted(path)))
    return pins


def check_pins(pins: Iterable[ChartPin], store: SchemaStore) -> list[Problem]:
    """A warning for every pin whose chart the store holds at another version (by its lock)."""
    problems = []
    for pin in pins:
        held = store.chart_release(pin.chart)
        if held is None:
            continue
        version, origin = held
        if version.removeprefix("v") != pin.version.removeprefix("v"):
            problems.append(pin.problem(
                f"chart {pin.chart} is pinned at {pin.version}, but the schema store ({origin}) holds "
                f"{version}: its custom resources and values are checked against another version",
                rule=RULE, severity=Severity.WARNING,
                hint="run `gitopsgen schemas sync` to import the pinned versions into schemas/"))
    return problems
