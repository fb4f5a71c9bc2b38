"""What the last run produced for an environment, kept so the next run with the same inputs does
not load, render or validate it again.

A record is keyed by every input of the environment's result (`run.inputs`: its spec, the
repository's other files, the templates, the schema store, gitopsgen, Python and the libraries,
the run's options) and holds what the run keeps of the environment (`run.unit.EnvOutcome`): the
sha256 of every rendered file, the findings as they read when the tree is written and when it is
not, the file and document counts, and the documents the cross-environment rules read
(`unit.cross_view`). On a hit the files on disk are compared with the recorded digests: any
difference (a hand edit, a file added or removed) is a miss, and the environment is rendered for
real, so drift is reported with its texts as without the cache.

Records live in `<download cache root>/results/` (`core.cache.root`: GITOPSGEN_CACHE_DIR, else
XDG_CACHE_HOME/gitopsgen, else ~/.cache/gitopsgen) as JSON behind a header line holding the format
version and the sha256 of the JSON: a truncated, corrupt or other-format record is a miss, never
an error. Writes are atomic (`core.atomic`); the folder is kept under `MAX_ENTRIES` and
`MAX_BYTES` by removing the least recently used records. `--no-cache` or GITOPSGEN_NO_CACHE=1
turn it off. Fleet mode, `--output -` and callers keeping whole trees do not use it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitopsgen.core import cache
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.run import inputs

if TYPE_CHECKING:
    from gitopsgen.run.unit import EnvJob, EnvOutcome
    from gitopsgen.tree.manifests import RenderedTree

FORMAT = 1
MAGIC = b"gitopsgen-results"
MAX_ENTRIES = 4000
MAX_BYTES = 256 * 1024 * 1024
NO_CACHE = "GITOPSGEN_NO_CACHE"

_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))


def disabled_by_environment() -> bool:
    return os.environ.get(NO_CACHE, "") not in ("", "0")


def folder() -> Path:
    return cache.root() / "results"


class ResultCache:
    """The records of one run's environments (one per process: workers have their own)."""

    def __init__(self, job: EnvJob) -> None:
        self.job = job
        self._run: str | None = None
        self._run_known = False
        self._keys: dict[str, str] = {}
        self._evicted = False

    @classmethod
    def for_job(cls, job: EnvJob) -> ResultCache | None:
        """The cache for `job`'s environments, or None when the run must not use one."""
        from gitopsgen.core import fastpath

        if not job.cache or job.stream or job.keep_trees or job.fleet or disabled_by_environment():
            return None
        if not fastpath.enabled():  # a comparison of the reference path with the fast one wants both run
            return None
        return cls(job)

    def _run_digest(self) -> str | None:
        if not self._run_known:
            job = self.job
            options = (f"format {FORMAT}", "check" if job.check else "write", str(job.target.absolute()),
                       job.kubernetes_version or "", "strict" if job.strict else "")
            self._run = inputs.run_digest(job.root, options, job.schema_locations, job.chart_schema_locations,
                                          exclude=(job.target, folder()))
            self._run_known = True
        return self._run

    def _path(self, key: str) -> Path:
        return folder() / key[:2] / f"{key}.json"

    def lookup(self, env: str) -> dict[str, Any] | None:
        """The fields of `env`'s outcome (`unit.EnvOutcome`) from its record, if its inputs are
        those recorded and its files on disk are those rendered; else None (the caller renders
        it, then `record`s it)."""
        run = self._run_digest()
        key = inputs.env_digest(run, self.job.root, env) if run is not None else None
        if key is None:
            return None
        self._keys[env] = key
        path = self._path(key)
        try:
            record = decode(path.read_bytes(), key)
        except OSError:
            return None
        if record is None or not self._on_disk(env, record["files"]):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        try:
            return outcome_fields(env, record)
        except (KeyError, TypeError, ValueError):
            return None

    def _on_disk(self, env: str, files: dict[str, str]) -> bool:
        from gitopsgen.tree.write import read_tree

        target = self.job.target / env
        if target.is_symlink() or not target.is_dir():
            return False
        on_disk = read_tree(target)
        return on_disk.keys() == files.keys() and all(
            hashlib.sha256(data).hexdigest() == files[p] for p, data in on_disk.items())

    def record(self, tree: RenderedTree, outcome: EnvOutcome) -> None:
        """Keep `outcome` of `tree` (validated, settled) under the key read by `lookup`, if the
        spec is still what that key was made of (it was not edited during the run)."""
        key = self._keys.get(tree.env)
        run = self._run
        if key is None or run is None or not tree.files or inputs.env_digest(run, self.job.root, tree.env) != key:
            return
        if outcome.changes:  # what it finds once the files are on disk as rendered: what a hit serves
            from gitopsgen.tree.relocate import relocate

            unwritten = relocate(tree, outcome.found, set(tree.files))
        else:
            unwritten = outcome.found_unwritten
        data = encode(key, tree, outcome, unwritten)
        if data is None:
            return
        try:
            from gitopsgen.core.atomic import atomic_write

            atomic_write(self._path(key), data)
            if not self._evicted:
                self._evicted = True
                evict(folder())
        except OSError:
            return  # a cache that cannot be written is no cache, not an error


def _problem_json(problem: Problem) -> dict[str, Any]:
    out = {name: getattr(problem, name) for name in _PROBLEM_FIELDS}
    out["severity"] = int(problem.severity)
    out["spec_locations"] = list(problem.spec_locations)
    return out


def _problem(data: dict[str, Any]) -> Problem:
    values = {name: data[name] for name in _PROBLEM_FIELDS}
    values["severity"] = Severity(values["severity"])
    values["spec_locations"] = tuple(values["spec_locations"])
    return Problem(**values)


def encode(key: str, tree: RenderedTree, outcome: EnvOutcome, unwritten: list[Problem]) -> bytes | None:
    """The record's bytes, or None when some of it would not read back exactly as it is."""
    from gitopsgen.run.view import ViewFile

    view = outcome.tree
    if view is None or not all(isinstance(f, ViewFile) for f in view.files.values()):
        return None
    files = [{"path": f.path, "template": f.template, "starts": list(f.starts),  # type: ignore[attr-defined]
              "documents": [{"index": d.index, "data": d.data} for d in f.documents]} for f in view.files.values()]
    record: dict[str, Any] = {
        "format": FORMAT, "key": key, "env": tree.env,
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in tree.bytes_by_path().items()},
        "documents": outcome.documents, "kubernetes_version": outcome.kubernetes_version,
        "warnings": [_problem_json(p) for p in outcome.warnings],
        "pins": [_problem_json(p) for p in outcome.pins],
        "found": [_problem_json(p) for p in outcome.found],
        "found_unwritten": [_problem_json(p) for p in unwritten],
        "view": {
            "prefix": view.prefix, "shown": view.shown, "not_secrets": sorted(view.not_secrets),
            "files": files,
        },
    }
    try:
        body = json.dumps(record, ensure_ascii=False, sort_keys=True, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return None
    back = json.loads(body)
    if back["view"]["files"] != files:  # e.g. a tuple or a non-string key in the data
        return None
    if any(_problem(p).__dict__ != q.__dict__ for p, q in zip(back["found"] + back["warnings"] + back["pins"],
                           [*outcome.found, *outcome.warnings, *outcome.pins], strict=True)):
        return None
    return b"%s %d %s\n" % (MAGIC, FORMAT, hashlib.sha256(body).hexdigest().encode()) + body


def decode(data: bytes, key: str) -> dict[str, Any] | None:
    """The record in `data` if it is whole, of this format and for `key`; else None."""
    header, _, body = data.partition(b"\n")
    parts = header.split(b" ")
    if len(parts) != 3 or parts[0] != MAGIC or parts[1] != str(FORMAT).encode():
        return None
    if hashlib.sha256(body).hexdigest().encode() != parts[2]:
        return None
    try:
        record = json.loads(body)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("key") != key:
        return None
    if not isinstance(record.get("files"), dict):
        return None
    return record


def outcome_fields(env: str, record: dict[str, Any]) -> dict[str, Any]:
    """What a run keeps of `env` (`unit.EnvOutcome`'s fields), from its record (the files on disk
    being those recorded)."""
    from gitopsgen.run.view import ViewFile
    from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document

    view = record["view"]
    files: dict[str, RenderedFile] = {}
    for item in view["files"]:
        documents = tuple(make_document(item["path"], d["index"], d["data"]) for d in item["documents"])
        files[item["path"]] = ViewFile(item["path"], item["template"], documents, "", starts=tuple(item["starts"]))
    tree = RenderedTree(env, files, view["prefix"], dict(view["shown"]), frozenset(view["not_secrets"]))
    return {"tree": tree, "warnings": [_problem(p) for p in record["warnings"]],
            "pins": [_problem(p) for p in record["pins"]], "found": [_problem(p) for p in record["found"]],
            "found_unwritten": [_problem(p) for p in record["found_unwritten"]], "files": len(record["files"]),
            "documents": int(record["documents"]), "kubernetes_version": record["kubernetes_version"]}


def evict(where: Path, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
    """Remove the least recently used records until the folder holds at most `max_entries`
    records and `max_bytes` bytes (records another run removes meanwhile are skipped)."""
    entries = []
    for path in where.glob("*/*.json"):
        with contextlib.suppress(OSError):
            info = path.stat()
            entries.append((info.st_mtime_ns, info.st_size, path))
    total = sum(size for _, size, _ in entries)
    entries.sort()
    while entries and (len(entries) > max_entries or total > max_bytes):
        _, size, path = entries.pop(0)
        path.unlink(missing_ok=True)
        total -= size
