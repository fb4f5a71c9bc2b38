"""The few exception types the core raises for bad input.

Every `GitopsgenError` means "the user gave us something we cannot use" (a bad spec, an unknown
environment, a broken template, a git ref that does not exist). The CLI prints its problems and
exits 2 without a traceback; `from_os_error` does the same for a file the system refuses us (a
`rendered` that is a plain file, a read-only folder). Anything else escaping the core is a bug in
gitopsgen, and the CLI says so (exit 3).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from gitopsgen.core.problems import Problem


class GitopsgenError(Exception):
    """Bad input, described by one or more located problems."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem] | Problem | str, *, file: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(file=file or "gitopsgen", message=problems, rule=self.rule)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    rule = "input"


def combined(errors: Sequence[GitopsgenError]) -> GitopsgenError:
    """One error holding every problem of `errors` (several environments' input problems), of the
    one kind they share, if they do."""
    if len(errors) == 1:
        return errors[0]
    kinds = {type(e) for e in errors}
    cls = kinds.pop() if len(kinds) == 1 else GitopsgenError
    return cls(sorted({p for e in errors for p in e.problems}))


def stops_everything(kind: type[GitopsgenError]) -> bool:
    """A template or usage problem is the same for every environment: say it once."""
    return issubclass(kind, (TemplateError, UsageError))


class SpecError(GitopsgenError):
    """An environment spec is missing, unreadable, not YAML, or does not validate."""

    rule = "spec"


class TemplateError(GitopsgenError):
    """A template does not compile, fails while rendering, or renders something that is not YAML."""

    rule = "template"


class UsageError(GitopsgenError):
    """Bad command-line arguments that Typer itself cannot catch (unknown environment, no root)."""

    rule = "usage"


class GitError(GitopsgenError):
    """A git operation needed for `diff --base` failed (not a repository, unknown ref)."""

    rule = "git"


class ConfigError(GitopsgenError):
    """`gitopsgen.toml` is not TOML, or holds an unknown key or a value of the wrong type."""

    rule = "config"


class SchemaStoreError(GitopsgenError):
    """A schema source or location cannot be used (missing, not a CRD, templated, conflicting)."""

    rule = "schemas"


class FetchError(GitopsgenError):
    """A download failed (DNS, HTTP status, timeout), a digest did not match, or an offline cache miss."""

    rule = "fetch"


class FileSystemError(GitopsgenError):
    """The operating system refused to read or write a file we need."""

    rule = "io"


def from_os_error(exc: OSError, cwd: Path | None = None) -> FileSystemError:
    """`rendered/prd: cannot write: Not a directory`, with the path shown relative to `cwd`."""
    filename = exc.filename
    where = "gitopsgen"
    if filename is not None:
        path = Path(os.fsdecode(filename))
        try:
            where = path.relative_to(cwd or Path.cwd()).as_posix()
        except ValueError:
            where = str(path)
    reason = exc.strerror or type(exc).__name__
    hint = None
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        hint = "a file stands where gitopsgen needs a folder: move it away"
    elif isinstance(exc, PermissionError):
        hint = "check the permissions of this path"
    elif exc.errno == errno.EROFS:
        hint = "the file system is mounted read-only"
    return FileSystemError(Problem(where, message=f"cannot read or write it: {reason}", rule="io", hint=hint))
