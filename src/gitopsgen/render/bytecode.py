"""Compiled templates kept across runs: a Jinja bytecode cache under the cache root.

Jinja compiles a template to Python source and then to a code object, which costs far more than
running it once; a run compiles each template once (`Renderer`), and this cache keeps the code
objects between runs, in `<cache root>/templates/<fingerprint>/<key>.bc`:

* the fingerprint changes with everything that shapes compiled code other than the template:
  the gitopsgen version and the source of the modules that generate or frame the code (the
  tracing code generator, the engine, the filters), the Jinja version, the Python bytecode
  version (`sys.implementation.cache_tag`) and the environment's syntax options;
* the key is the SHA-256 of the template's name and source, so an edited template is a new entry
  and is never served stale (Jinja checks the source checksum again on load); the same template
  in another folder (the base side of `diff --base`, materialised in a temporary folder) shares
  the entry, its code objects given that folder's file name on load;
* an entry is `MAGIC`, the SHA-256 of the payload, then Jinja's payload: one that does not match
  its checksum (a torn or corrupted file) is ignored and compiled again; entries are written
  through `write.atomic_write` (a temporary file in the same folder, then `os.replace`), and a
  cache that cannot be written (read-only home) only costs the compile.

Old fingerprints' folders are not pruned: each holds a few hundred kilobytes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
import types
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

MAGIC = b"gitopsgen-bc1\n"
FOLDER = "templates"


@functools.cache
def _code_fingerprint() -> str:
    """Version and sources that change what a template compiles to."""
    from gitopsgen import __version__

    digest = hashlib.sha256()
    for part in (__version__, jinja2.__version__, sys.implementation.cache_tag or sys.version):
        digest.update(part.encode() + b"\0")
    here = Path(__file__)  # read as files, not imported: the engine imports this module
    for name in ("trace.py", "engine.py", "filters.py", here.name):
        digest.update(here.with_name(name).read_bytes() + b"\0")
    return digest.hexdigest()


def _refiled(code: types.CodeType, filename: str) -> types.CodeType:
    """`code` (and the functions inside it) as compiled from `filename`: tracebacks, which map a
    render error to its template line (`engine._template_line`), name the file in use."""
    consts = tuple(_refiled(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def fingerprint(environment: jinja2.Environment) -> str:
    """The cache folder's name for templates compiled by `environment`."""
    options = (environment.block_start_string, environment.block_end_string, environment.variable_start_string,
               environment.variable_end_string, environment.comment_start_string, environment.comment_end_string,
               environment.line_statement_prefix, environment.line_comment_prefix, environment.trim_blocks,
               environment.lstrip_blocks, environment.newline_sequence, environment.keep_trailing_newline,
               sorted(environment.extensions), environment.optimized, bool(environment.autoescape),
               environment.finalize is not None, type(environment).__qualname__,
               environment.code_generator_class.__qualname__)
    return hashlib.sha256(f"{_code_fingerprint()}\0{options!r}".encode()).hexdigest()[:24]


class TemplateCache(BytecodeCache):
    """Jinja's `BytecodeCache` on disk, keyed by template content (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        key = hashlib.sha256(f"{name}\0{source}".encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        code = bucket.code
        if code is not None and filename is not None and code.co_filename != filename:
            bucket.code = _refiled(code, filename)  # the same template in another folder (diff --base)
        return bucket

    def _path(self, bucket: Bucket) -> Path:
        return self.directory / f"{bucket.key}.bc"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        head, digest, payload = data[:len(MAGIC)], data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
        if head != MAGIC or hashlib.sha256(payload).digest() != digest:
            return  # torn or corrupted: compile again (and overwrite it)
        try:
            bucket.bytecode_from_string(payload)
        except Exception:  # a payload Jinja cannot read: as if absent
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        from gitopsgen.core.atomic import atomic_write

        payload = bucket.bytecode_to_string()
        with contextlib.suppress(OSError):  # a cache we cannot write costs a compile next time, nothing else
            atomic_write(self._path(bucket), MAGIC + hashlib.sha256(payload).digest() + payload)

    def clear(self) -> None:
        for path in self.directory.glob("*.bc"):
            path.unlink(missing_ok=True)


def for_environment(environment: jinja2.Environment) -> TemplateCache | None:
    """The cache of templates compiled by `environment`, or None when there is no cache root."""
    from gitopsgen.core import cache

    try:
        base = cache.root()
    except RuntimeError:  # no home directory to put it in
        return None
    return TemplateCache(base / FOLDER / fingerprint(environment))


def attach(environment: Any) -> None:
    """Give `environment` its bytecode cache (after all its options are set)."""
    environment.bytecode_cache = for_environment(environment)
