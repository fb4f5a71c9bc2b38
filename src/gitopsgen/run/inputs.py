"""Everything a run's result for one environment depends on, as one digest (`run.resultcache`'s key).

The digest covers, by content: the environment's spec file, every other file of `environments/`
except the other environments' specs (`defaults.yaml` among them), every regular file of the
repository outside `rendered/`, `environments/`, `.git`, virtualenvs and caches (templates,
`schemas/`, `gitopsgen.toml` and whatever else a later version may read), the packaged templates,
the content of every schema and chart schema location folder; by identity: gitopsgen's version
and every file of the installed package (path, size, modification time), Python's version, every
installed distribution (name and version, from the `*.dist-info` folder names on `sys.path`), and
the run's options. What cannot be read here (a schema location that is a URL) makes the run
uncachable: `run_digest` returns None.

Anything left out would make the cache lie; anything extra only costs a miss. So the walk is
generous: a symlinked folder is followed, an unknown file is hashed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

READ_LIMIT = 4 * 1024 * 1024
"""Files larger than this are keyed by their size, modification and change times and inode
instead of their bytes (no input gitopsgen reads may be that large: `facts.limits`)."""

SKIPPED_FOLDERS = frozenset({".git", "__pycache__", "node_modules", ".tox", ".nox", ".mypy_cache", ".ruff_cache",
                             ".pytest_cache", ".hypothesis"})
"""Folder names never read, at any depth: version control and tool caches (virtualenvs are
recognised by their `pyvenv.cfg`)."""


class Digest:
    """A sha256 fed with length-prefixed fields, so no two different field lists collide."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, *fields: str | bytes) -> None:
        for item in fields:
            data = item.encode("utf-8", "surrogateescape") if isinstance(item, str) else item
            self._hash.update(len(data).to_bytes(8, "little"))
            self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _file(digest: Digest, path: Path, name: str) -> None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device: never opened (reading a FIFO blocks)
            digest.add("special", name, str(stat.S_IFMT(info.st_mode)))
            return
        if info.st_size > READ_LIMIT:
            digest.add("big", name, f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}")
            return
        digest.add("file", name, path.read_bytes())
    except OSError as exc:  # unreadable: keyed by why, so it becomes readable -> a miss
        digest.add("unreadable", name, type(exc).__name__)


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def folder(digest: Digest, top: Path, label: str, *, skip: frozenset[str] = frozenset(),
           exclude: tuple[Path, ...] = (), keep: Callable[[str], bool] | None = None) -> None:
    """Every regular file under `top` (names relative to it, and bytes), in sorted order; folders
    named in `skip` and folders in `exclude` left out; symlinked folders followed once."""
    seen: set[str] = set()
    excluded = {os.path.realpath(p) for p in exclude}
    stack = [(top, "")]
    digest.add("folder", label)
    while stack:
        here, prefix = stack.pop()
        try:
            real = os.path.realpath(here)
            if real in seen:
                continue
            seen.add(real)
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            digest.add("unreadable-folder", prefix)
            continue
        folders = []
        for entry in entries:
            name = f"{prefix}{entry.name}"
            try:
                is_dir = entry.is_dir()  # follows a symlink
            except OSError:
                is_dir = False
            if is_dir:
                path = Path(entry.path)
                if entry.name in skip or os.path.realpath(path) in excluded or _is_venv(path):
                    continue
                folders.append((path, f"{name}/"))
            elif keep is not None and not keep(name):
                continue
            else:
                _file(digest, Path(entry.path), name)
        stack.extend(reversed(folders))


def _package(digest: Digest) -> None:
    """gitopsgen itself: its version, and every file it is installed as (code, packaged store)."""
    import gitopsgen
    from gitopsgen.facts.packaged import templates_dir

    digest.add("gitopsgen", gitopsgen.__version__)
    package = Path(gitopsgen.__file__).resolve().parent
    for base, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(base, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            digest.add(os.path.relpath(path, package), f"{info.st_size}:{info.st_mtime_ns}")
    lock = package / "store" / "default" / "lock.json"
    if lock.is_file():
        digest.add("store-lock", lock.read_bytes())
    packaged = templates_dir()
    if packaged is not None:
        folder(digest, packaged, "packaged-templates", skip=frozenset({"__pycache__"}))


def _python(digest: Digest) -> None:
    """Python and every installed distribution (jinja2, pydantic, ruamel.yaml, jsonschema,
    kubernetes-validate, ... with their versions, as their `.dist-info` folders are named)."""
    digest.add("python", sys.version, sys.implementation.cache_tag or "")
    for entry in sys.path:  # by what they hold: the script's or working folder holds none of them
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info", ".pth")))
        except OSError:
            continue
        if names:
            digest.add("path", "\n".join(names))


def _location_folder(text: str) -> Path | None:
    """The folder a schema location reads: itself, or the fixed part of a `{{...}}` template."""
    fixed = text.split("{", 1)[0]
    path = Path(fixed)
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path.resolve() if path.is_dir() else None


def run_digest(root: Path, options: tuple[str, ...], schema_locations: tuple[str, ...],
               chart_locations: tuple[str, ...], exclude: tuple[Path, ...] = ()) -> str | None:
    """The digest of everything but the environment's own spec (`env_digest`), or None when some
    input cannot be keyed (a schema location on the network)."""
    digest = Digest()
    digest.add("options", *options)
    for kind, texts in (("schema-location", schema_locations), ("chart-location", chart_locations)):
        for text in texts:
            if "://" in text:
                return None
            digest.add(kind, text)
            where = _location_folder(text)
            if where is not None:
                folder(digest, where, str(where), skip=frozenset({"__pycache__"}))
    _package(digest)
    _python(digest)
    # the output and the specs (keyed one by one, below and in `env_digest`) are no input
    folder(digest, root, "repository", skip=SKIPPED_FOLDERS,
           exclude=(*exclude, root / "rendered", root / "environments"))
    envs = root / "environments"
    # environments/ but the environments' own specs: defaults.yaml, editor schema, refused files
    folder(digest, envs, "environments", keep=lambda name: "/" in name or not name.endswith(".yaml")
           or name == "defaults.yaml")
    return digest.hexdigest()


def env_digest(run: str, root: Path, env: str) -> str | None:
    """The key of `env`'s result: the run's digest and the environment's spec file (None if it has none)."""
    spec = root / "environments" / f"{env}.yaml"
    try:
        if not stat.S_ISREG(spec.stat().st_mode):  # not opened: the loader says what is wrong with it
            return None
        data = spec.read_bytes()
    except OSError:
        return None
    digest = Digest()
    digest.add("run", run, "env", env, "spec", data)
    return digest.hexdigest()
