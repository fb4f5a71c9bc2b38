"""`render --check`, `validate` and `diff` run one environment unit: for the same inputs they find
the same things, with the same provenance and exit codes (bad input is exit 2 from each)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gitopsgen.core.errors import GitopsgenError
from gitopsgen.core.problems import Problem
from gitopsgen.diff.run import DiffOptions, diff
from gitopsgen.run.render import RenderOptions, render
from gitopsgen.run.validate import ValidateOptions, validate
from kit import copy_examples, replace_in


def _examples(root: Path) -> None:
    """The example environments as committed."""


def _not_a_secret(root: Path) -> None:
    """A value that looks like credentials, marked as not a secret in the spec."""
    replace_in(root / "environments/prd.yaml", "  hostname: api.example.com\n",
               '  hostname: api.example.com\n  env:\n'
               '    DOCS_URL: "https://docs:example@example.com/guide"  # gitopsgen: not-a-secret\n')


def _spec_error(root: Path) -> None:
    replace_in(root / "environments/prd.yaml", "  quorum: 2\n", "  quorum: 4\n")


def _output_finding(root: Path) -> None:
    """A template that writes a spec value where the schema wants a string: a finding on rendered
    output whose value comes from a spec line."""
    (root / "templates/manifests/example-api/extra.yaml.j2").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: {{ spec.namespace | q }}\n"
        "data:\n  replicas: {{ spec.app.replicas }}\n")


CASES: dict[str, tuple[Callable[[Path], None], int]] = {
    "examples": (_examples, 0),
    "not-a-secret": (_not_a_secret, 0),
    "spec-error": (_spec_error, 2),
    "output-finding": (_output_finding, 1),
}


def _shown(problems: list[Problem]) -> list[tuple[object, ...]]:
    """Every field a user sees, provenance included (`Problem` equality leaves provenance out)."""
    return sorted((p.file, p.line, p.column, p.path, p.message, p.rule, p.severity, p.hint or "", p.template or "",
                   p.template_line or 0, p.spec_locations, p.rendered or "") for p in problems)


def _render_check(root: Path) -> tuple[int, list[Problem]]:
    try:
        result = render(RenderOptions(root, ("prd",), check=True))
    except GitopsgenError as exc:
        return exc.exit_code, sorted(exc.problems)
    # drift is --check's own report, not a finding: compare only what both commands find
    invalid = 1 if any(e.invalid for e in result.envs) else 0
    return invalid, sorted({p for e in result.envs for p in e.problems})


def _validate(root: Path) -> tuple[int, list[Problem]]:
    result = validate(ValidateOptions(root, ("prd",)))
    return result.exit_code, result.problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_check_validate_and_diff_agree(tmp_path: Path, case: str) -> None:
    root = tmp_path / "repo"
    copy_examples(root, rendered=True)
    change, expected = CASES[case]
    change(root)

    check_code, check_found = _render_check(root)
    validate_code, validate_found = _validate(root)
    assert check_code == validate_code == expected
    assert _shown(check_found) == _shown(validate_found)  # same findings, lines, rules, template and spec lines
    if case == "output-finding":
        [finding] = [p for p in validate_found if p.file.endswith("extra.yaml.j2")]
        assert (finding.line, finding.rendered) == (7, "rendered/prd/manifests/example-api/extra.yaml:8")
        replicas = 1 + (root / "environments/prd.yaml").read_text().splitlines().index("  replicas: 2")
        assert finding.spec_locations == (f"environments/prd.yaml:{replicas}:13",)  # the spec line of the value
    if expected == 2:
        with pytest.raises(GitopsgenError) as raised:
            diff(DiffOptions(root, ("prd",)))
        assert raised.value.exit_code == 2 and sorted(raised.value.problems) == check_found
    else:  # diff renders what render writes: the same unit, so no difference where nothing changed
        result = diff(DiffOptions(root, ("prd",)))
        assert (result.exit_code == 0) == (case == "examples")
