"""Load, validate and check an environment spec: `load(root, env) -> LoadedSpec`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitopsgen.core.errors import SpecError
from gitopsgen.core.problems import Finding, Problem, YamlPath, has_errors
from gitopsgen.spec.loader import SpecSource, list_environments, load_spec_source

if TYPE_CHECKING:
    from gitopsgen.spec.models import Environment

__all__ = ["Environment", "LoadedSpec", "json_schema", "list_environments", "load"]


def __getattr__(name: str) -> Any:
    """`Environment` on first use: building the models is the largest import of a run, which a
    run served from the result cache (`run.resultcache`) never needs."""
    if name == "Environment":
        from gitopsgen.spec.models import Environment

        return Environment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class LoadedSpec:
    env: str
    model: Environment
    source: SpecSource
    warnings: tuple[Problem, ...] = ()
    not_secrets: frozenset[str] = frozenset()
    """Values marked `# gitopsgen: not-a-secret`: the rendered-output secret rule lets them pass."""


def _located(source: SpecSource, finding: Finding, rule: str) -> Problem:
    """A finding of the spec checks at its line and column in the spec files."""
    from gitopsgen.tree.yamlio import dig

    # a finding about a whole list or mapping points at its key, not at its first item
    loc = source.locate(finding.path, prefer_key=isinstance(dig(source.data, *finding.path), (dict, list)))
    return finding.at(loc.file, loc.line, loc.column, rule=rule)


def load(root: Path, env: str) -> LoadedSpec:
    """The validated spec of `env`; raises SpecError with every problem of the files at once.

    Field validation, the secret scan and the cross-field checks all run: a check is skipped
    only when a field it reads is invalid (`checks.Fields`). A value recognised as a secret is
    redacted from every message, whichever check produced it."""
    from pydantic import ValidationError

    from gitopsgen.facts.secret_shapes import redact
    from gitopsgen.spec import checks, secrets
    from gitopsgen.spec.diagnostics import invalid_paths, problems_from_validation
    from gitopsgen.spec.models import Environment

    source = load_spec_source(root, env)
    found = list(secrets.scan(source))
    secret_paths = frozenset(f.path for f, _ in found)
    problems = [_located(source, f, "secret") for f, _ in found]
    model: Environment | None = None
    invalid: list[YamlPath] = []
    try:
        model = Environment.model_validate(source.data, by_alias=True, by_name=False)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, source, Environment, secret_paths))
        invalid = invalid_paths(exc, source)
    problems.extend(_located(source, f, "spec") for f in checks.run(checks.Fields(source.data, invalid)))
    known = [value for _, value in found if value]
    problems = [replace(p, message=redact(p.message, known), hint=p.hint and redact(p.hint, known))
                for p in problems]
    if model is None or has_errors(problems):
        raise SpecError(problems)
    return LoadedSpec(env, model, source, tuple(sorted(problems)), secrets.marked(source))


def json_schema(*, partial: bool = False) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an environment spec, for editors and pre-commit.

    By default it describes the merged spec (defaults + environment). With `partial`, nothing is
    required, which is what an editor needs for one file of the pair (defaults.yaml or <env>.yaml);
    types, patterns and closed mappings are kept.
    """
    from gitopsgen.spec.models import Environment

    schema: dict[str, Any] = Environment.model_json_schema(by_alias=True, mode="validation")
    if partial:
        schema = _drop_required(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gitopsgen environment" + (" (one file, partial)" if partial else "")
    return schema


def _drop_required(node: Any) -> Any:
    """No `required`; and `oneOf` becomes `anyOf`, since a file may omit the tag (`mode`, `type`)
    that tells the variants apart, which leaves several of them matching."""
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _drop_required(v)
                for k, v in node.items() if k not in ("required", "discriminator")}
    if isinstance(node, list):
        return [_drop_required(v) for v in node]
    return node
