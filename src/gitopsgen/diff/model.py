"""What a diff found, as plain data. The engine builds it; reporters (`report/diff_*.py`) format it.

One `DiffResult` per run: the two sides compared and, per environment, an `EnvDiff` with one
`Entry` per Kubernetes object or data document that differs. Values that may be credentials are
already replaced by `Redacted` fingerprints here, so no reporter can print them in clear.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gitopsgen.core.problems import YamlPath, dotted


class Status(enum.Enum):
    """What happened to one object (or data document) between the two sides."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    MOVED = "moved"
    """Same object, same content, another file."""


class EnvStatus(enum.Enum):
    ADDED = "added"
    """Only the new side has this environment."""
    REMOVED = "removed"
    """Only the old side has this environment."""
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class _Missing:
    """The side of a field change where the field does not exist."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Redacted:
    """A value that is never shown: equal values have equal digests (full SHA-256 hex)."""

    digest: str

    @property
    def short(self) -> str:
        return f"sha256:{self.digest[:12]}"

    def __str__(self) -> str:
        return f"<redacted {self.short}>"


@dataclass(frozen=True, order=True)
class Key:
    """What matches two documents across the sides.

    A Kubernetes object: its API group (never the version), kind, namespace and name, as the cluster
    identifies it. Anything else (Helm values, the cloudflared config): its file and its position
    among that file's non-object documents. `occurrence` separates duplicates within one tree.
    """

    group: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    file: str = ""
    index: int = 0
    occurrence: int = 0

    @property
    def is_object(self) -> bool:
        return bool(self.kind)

    def __str__(self) -> str:
        if self.is_object:
            where = f"{self.namespace}/" if self.namespace else ""
            return f"{self.kind} {where}{self.name}"
        return self.file if not self.index else f"{self.file} (document {self.index + 1})"


@dataclass(frozen=True)
class Side:
    """One side of an entry: where the document is and its (redacted) content."""

    path: str
    """File path relative to the environment's tree (`apps/data.yaml`)."""
    index: int
    """Position of the document in its file."""
    api_version: str | None
    data: Any


@dataclass(frozen=True)
class FieldChange:
    """One changed field: its YAML path with the old and new values (`MISSING` for absent)."""

    path: YamlPath
    old: Any = MISSING
    new: Any = MISSING

    @property
    def change(self) -> str:
        if self.old is MISSING:
            return "added"
        if self.new is MISSING:
            return "removed"
        return "changed"

    @property
    def redacted(self) -> bool:
        return isinstance(self.old, Redacted) or isinstance(self.new, Redacted)

    @property
    def dotted(self) -> str:
        return dotted(self.path) or "(whole document)"


@dataclass
class Entry:
    status: Status
    key: Key
    old: Side | None
    new: Side | None
    fields: list[FieldChange] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    """Unified diff of the object's canonical YAML (redacted), without line endings."""
    renamed: Key | None = None
    """A renamed Application: on an addition, the object it replaces (`fields` and `diff` are then
    against that object); on a removal, the object that replaces it (`diff` is then empty)."""

    @property
    def title(self) -> str:
        return str(self.key)

    @property
    def path(self) -> str:
        return self.position[0]

    @property
    def position(self) -> tuple[str, int]:
        """(file, document index) on the new side, else on the old side."""
        side = self.new or self.old
        assert side is not None
        return side.path, side.index

    @property
    def moved(self) -> bool:
        return self.old is not None and self.new is not None and self.old.path != self.new.path

    @property
    def api_version(self) -> str | None:
        side = self.new or self.old
        return side.api_version if side else None


@dataclass(frozen=True)
class Note:
    """Something a reviewer must not miss, beyond field values (e.g. a delete-and-create)."""

    kind: str
    """`recreate`: the cluster deletes objects and creates them again; `edge-switch`: the NGINX in
    front of the API changes (ingress-nginx and NGINX Gateway Fabric)."""
    message: str
    subjects: tuple[str, ...] = ()


NOT_COMPARED = "the objects the chart deploys are not compared"


@dataclass(frozen=True)
class CrdChange:
    """A CustomResourceDefinition a chart deploys that differs between the sides: summarised by name,
    never field by field (a CRD's schema runs to thousands of lines)."""

    name: str
    status: Status
    """ADDED, CHANGED or REMOVED."""


@dataclass
class ChartChange:
    """A Helm chart whose version, values or Helm settings differ between the sides.

    `compare_trees` lists it with `objects` None; the chart-aware diff (`diff.charts`) then renders
    the chart at both sides with Helm and fills `objects` with the entries for what the chart
    deploys (CustomResourceDefinitions summarised in `crds`), or leaves `objects` None and says
    why in `reason` (the Helm extra is not installed, a chart is not cached, Helm failed).
    """

    application: str
    repo_url: str
    chart: str
    old_version: str | None
    new_version: str | None
    values_files: tuple[str, ...] = ()
    """Values files of this tree the chart reads that changed."""
    objects: list[Entry] | None = None
    reason: str | None = NOT_COMPARED
    """Why `objects` is None; None when they were compared."""
    key: Key | None = None
    """The Application (both sides have it)."""
    settings: tuple[str, ...] = ()
    """Fields of the Application that feed Helm and changed (`spec.sources[0].helm.valuesObject.x`)."""
    crds: list[CrdChange] = field(default_factory=list)
    crds_unchanged: int = 0
    hint: str | None = None
    """The command that makes the comparison possible (fetch the charts, install the extra)."""


@dataclass
class EnvDiff:
    env: str
    status: EnvStatus
    entries: list[Entry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    charts: list[ChartChange] = field(default_factory=list)
    formatting_only: list[str] = field(default_factory=list)
    """Files whose bytes differ but whose content is the same (no difference; `render --check` names them)."""

    def counts(self) -> dict[Status, int]:
        found = Counter(e.status for e in self.entries)
        return {status: found.get(status, 0) for status in Status}

    @property
    def differs(self) -> bool:
        return bool(self.entries) or self.status in (EnvStatus.ADDED, EnvStatus.REMOVED)


@dataclass(frozen=True)
class SideLabel:
    """How a side is named in reports: `origin/main` (commit), `working tree`, `rendered/ on disk`."""

    label: str
    commit: str | None = None


@dataclass
class DiffResult:
    base: SideLabel
    head: SideLabel
    envs: list[EnvDiff]
    notices: list[str] = field(default_factory=list)
    """How the comparison was made, when it is not the usual way (e.g. the base side read from the
    rendered/ committed at the ref because its specs do not load with this version of gitopsgen)."""

    @property
    def differs(self) -> bool:
        return any(e.differs for e in self.envs)

    @property
    def exit_code(self) -> int:
        """0 no differences; 1 differences (errors never get this far: they raise, exit 2)."""
        return 1 if self.differs else 0
