"""`gitopsgen init DIR`: a GitOps repository that renders and validates at once; and the record
of which gitopsgen version a repository's own templates were copied from.

`init` writes the example environments (with their editor modeline and schema), the
configuration file, an empty `rendered/`, a pre-commit configuration using the gitopsgen hooks, a
CI workflow and a short README; `templates/` only with `--with-templates` (otherwise the
templates packaged with gitopsgen are used, and upgrade with it). It never overwrites a file
unless told to. Copied templates carry `templates/.gitopsgen-templates.json`: the version and the
sha256 of every template as copied, so a later gitopsgen can say which of its templates changed
since (`template_drift`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from gitopsgen.core.errors import UsageError
from gitopsgen.core.problems import Problem, Severity
from gitopsgen.facts import packaged, release
from gitopsgen.facts.layout import ENVIRONMENTS, RENDERED, TEMPLATES

RECORD = ".gitopsgen-templates.json"
"""In a repository's templates/: the gitopsgen version they were copied from, and their hashes."""


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def template_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha(p) for p in sorted(folder.rglob("*.j2")) if p.is_file()}


def template_drift(templates: Path) -> list[Problem]:
    """A warning when a repository's templates were copied from another gitopsgen version, naming
    the packaged templates that changed since (so the user knows what to merge by hand)."""
    record_file = templates / RECORD
    packaged_dir = packaged.templates_dir()
    if not record_file.is_file() or packaged_dir is None or packaged_dir.resolve() == templates.resolve():
        return []
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        copied_from, hashes = str(record["gitopsgen"]), dict(record["templates"])
    except (ValueError, KeyError, TypeError):
        return [Problem(f"{TEMPLATES}/{RECORD}", message="not a gitopsgen templates record", rule="templates",
                        severity=Severity.WARNING,
                        hint="restore it from git (`gitopsgen init . --templates-only --force` rewrites it, and "
                             "the templates)")]
    if copied_from == packaged.version():
        return []
    now = template_hashes(packaged_dir)
    changed = sorted(n for n in now.keys() & hashes.keys() if now[n] != hashes[n])
    added, removed = sorted(now.keys() - hashes.keys()), sorted(hashes.keys() - now.keys())
    parts = [f"{label}: {', '.join(names)}" for label, names in
             (("changed", changed), ("new", added), ("dropped", removed)) if names]
    return [Problem(f"{TEMPLATES}/{RECORD}", message=(
        f"templates/ was copied from gitopsgen {copied_from}, this is {packaged.version()}"
        + (f"; its templates since: {'; '.join(parts)}" if parts else "; no template changed since")),
        rule="templates", severity=Severity.WARNING,
        hint="compare with `gitopsgen init DIR --with-templates` in a scratch folder and merge what you need")]


PRE_COMMIT = """\
# gitopsgen's hook: pre-commit installs gitopsgen {tag} into an environment of its own. It checks
# the specs, a fresh render with every validation layer, and that rendered/ is in sync (saying what
# a hand edit there breaks). `id: gitopsgen-render` instead re-renders rather than failing.
repos:
  - repo: {repository}
    rev: {tag}
    hooks:
      - id: gitopsgen-check
"""

WORKFLOW = """\
# Pull requests: rendered/ in sync, validation findings as annotations, the diff (charts
# included) as one comment, or in the job summary for a pull request from a fork. The action
# installs the gitopsgen of its own version; pin it by commit for an immutable reference.
name: gitopsgen
on: pull_request
permissions: {{}}
jobs:
  gitopsgen:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1  # v7.0.1
        with:
          fetch-depth: 0              # the diff needs the base branch's commits
          persist-credentials: false
      - uses: {action}@{tag}
"""

ZIZMOR = """\
# zizmor (GitHub Actions security linter): actions are pinned by commit, except gitopsgen's own
# action, which is pinned by its release tag (replace it by the tag's commit to pin it harder).
rules:
  unpinned-uses:
    config:
      policies:
        "{action}": ref-pin
        "*": hash-pin
"""

README = """\
# Platform GitOps repository

Argo CD deploys `rendered/<env>/`, which `gitopsgen` renders from the environment specs in
`environments/` (and {templates}). Never edit `rendered/` by hand.

```sh
{install}
git init -b main                # the branch the diff and the workflow compare with
gitopsgen render --all          # after editing environments/ (or templates/); commit both
gitopsgen validate --all        # every check, nothing written
pre-commit install              # the hooks of .pre-commit-config.yaml, on every commit
gitopsgen diff --all --base main  # what a change does, object by object
```

Bootstrap a cluster: install Argo CD, create the Doppler token Secret the ClusterSecretStore
names, then `kubectl apply -f rendered/<env>/bootstrap/`. Spec reference: `gitopsgen spec-schema
--format markdown`.
"""

CONFIG = """\
# gitopsgen settings for this repository; flags override them.
[validate]
# schema-locations = []          # folders or URL templates ({{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json)
# kubernetes-version = "1.33"    # default: each environment's kubernetesVersion
# strict = false                 # a custom resource without a schema is an error

[schemas]
# crd-urls = []                  # CRDs that no pinned chart ships (e.g. Argo CD's), for `gitopsgen schemas sync`
"""


def init(root: Path, *, with_templates: bool = False, force: bool = False, templates_only: bool = False) -> InitResult:
    """Scaffold a gitopsgen repository at `root` (created when missing); with `templates_only`, copy
    the packaged templates into the `templates/` of a repository that uses them (to change them)."""
    examples, templates = packaged.examples_dir(), packaged.templates_dir()
    if examples is None or templates is None:
        raise UsageError("this gitopsgen installation has no packaged examples or templates")
    version = packaged.version()
    files: dict[str, bytes] = {}
    for name in packaged.EXAMPLE_FILES:
        if (examples / name).is_file() and not templates_only:
            files[f"{ENVIRONMENTS}/{name}"] = (examples / name).read_bytes()
    if with_templates or templates_only:
        for path in sorted(templates.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[f"{TEMPLATES}/{path.relative_to(templates).as_posix()}"] = path.read_bytes()
        record = {"gitopsgen": version, "templates": template_hashes(templates)}
        files[f"{TEMPLATES}/{RECORD}"] = (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()
    if templates_only:
        return _write(root, files, force, "templates/ exists: its templates are used already")
    files[f"{RENDERED}/.gitkeep"] = b""
    files["gitopsgen.toml"] = CONFIG.encode()
    pins = {"repository": release.REPOSITORY, "tag": release.tag(version), "action": release.ACTION}
    files[".pre-commit-config.yaml"] = PRE_COMMIT.format(**pins).encode()
    files[".github/workflows/gitopsgen.yml"] = WORKFLOW.format(**pins).encode()
    files[".github/zizmor.yml"] = ZIZMOR.format(**pins).encode()
    templates_note = ("templates/" if with_templates else "the templates packaged with gitopsgen; "
                      "`gitopsgen init . --templates-only` copies them here to change them")
    files["README.md"] = README.format(install=release.pip_install(version=version), templates=templates_note).encode()
    result = _write(root, files, force, "pass --force to overwrite, or init another folder")
    result.notes.append("schemas/: the chart schemas packaged with gitopsgen cover the example pins; "
                        "run `gitopsgen schemas sync` (needs network) to pin the exact versions into schemas/")
    return result


def _write(root: Path, files: dict[str, bytes], force: bool, hint: str) -> InitResult:
    """Every file or none: nothing is written when one exists (unless `force`)."""
    existing = sorted(name for name in files if (root / name).exists())
    if existing and not force:
        raise UsageError([Problem(str(root / name), message="exists: gitopsgen init does not overwrite it",
                                  rule="usage", hint=hint) for name in existing])
    from gitopsgen.core.atomic import atomic_write

    for name, data in files.items():
        atomic_write(root / name, data)
    return InitResult(root, sorted(files))
