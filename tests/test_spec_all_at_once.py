"""Every spec problem at once, and hints that are right (issue 10, item 2).

Cross-field checks run whenever the fields they read are valid, whatever else is wrong; each hint
is checked by doing what it says and loading again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitopsgen.core.errors import SpecError
from gitopsgen.core.problems import Problem
from gitopsgen.spec import load
from kit import replace_in


def problems_of(project: Path, env: str = "prd") -> list[Problem]:
    with pytest.raises(SpecError) as caught:
        load(project, env)
    return caught.value.problems


def prd(project: Path) -> Path:
    return project / "environments" / "prd.yaml"


def test_a_hostname_outside_the_domain_filters_is_reported_with_four_unrelated_errors(project: Path) -> None:
    replace_in(prd(project), "  hostname: api.example.com", "  hostname: api.example.org")
    replace_in(prd(project), "  replicas: 2\n", "  replicas: two\n")           # app.replicas
    replace_in(prd(project), "  instances: 3", "  instances: 30")               # postgres.instances
    replace_in(prd(project), "  policy: sync", "  policy: always")              # externalDns.policy
    replace_in(prd(project), "  tunnelId: 6ff", "  tunnelId: XYZ")               # edge.tunnelId
    paths = {p.path for p in problems_of(project)}
    assert {"app.replicas", "postgres.instances", "externalDns.policy", "edge.tunnelId", "app.hostname"} <= paths


@pytest.mark.parametrize("old, new, path", [
    ("  quorum: 2", "  quorum: 4", "redis.quorum"),                     # quorum > sentinels
    ("  sentinels: 3", "  sentinels: 4", "redis.sentinels"),            # even
])
def test_rules_within_a_section_run_despite_an_error_in_that_section(
        project: Path, old: str, new: str, path: str) -> None:
    replace_in(prd(project), old, new)
    replace_in(prd(project), "  storage:\n    size: 2Gi", "  storage:\n    size: lots")  # redis.storage.size
    paths = [p.path for p in problems_of(project)]
    assert "redis.storage.size" in paths and path in paths


def test_auth0_scopes_rule_runs_despite_an_invalid_client_id(project: Path) -> None:
    defaults = project / "environments" / "defaults.yaml"
    replace_in(defaults, "scopes: [openid, profile, email, offline_access]", "scopes: [openid, profile]")
    replace_in(prd(project), "clientId: Zr5", "clientId: short-Zr5")
    assert {"app.auth0.scopes", "app.auth0.clientId"} <= {p.path for p in problems_of(project)}


def test_a_check_stays_quiet_when_a_field_it_reads_is_invalid(project: Path) -> None:
    replace_in(prd(project), "  hostname: api.example.com", "  hostname: API.example.org")
    [problem] = problems_of(project)  # the hostname's own error, not also "outside domainFilters"
    assert problem.path == "app.hostname" and "fully qualified lowercase hostname" in problem.message


def test_edge_rules_run_while_the_edge_section_has_an_unrelated_error(project: Path) -> None:
    text = prd(project).read_text()
    block = text[text.index("\nexternalDns:"):]  # the top-level section, not charts.externalDns
    prd(project).write_text(text.replace(block, "").replace("  replicas: 2\n  credentialsKey", "  replicas: -1\n"
                                                            "  credentialsKey"))
    paths = {p.path for p in problems_of(project)}
    assert {"externalDns", "edge.replicas"} <= paths


# --- hints, each checked by following it ----------------------------------------------------------


def _follow(project: Path, old: str, new: str) -> None:
    replace_in(prd(project), old, new)
    load(project, "prd")


def test_an_unquoted_word_in_an_integer_field_is_not_told_to_remove_quotes(project: Path) -> None:
    replace_in(prd(project), "  replicas: 2\n  hostname", "  replicas: two\n  hostname")
    [problem] = problems_of(project)
    assert problem.message == "Input should be a valid integer, got 'two'"
    assert problem.hint == "write a whole number, such as 2"
    _follow(project, "replicas: two", "replicas: 2")


def test_a_quoted_number_in_an_integer_field_is_told_to_remove_the_quotes(project: Path) -> None:
    replace_in(prd(project), "  replicas: 2\n  hostname", '  replicas: "2"\n  hostname')
    [problem] = problems_of(project)
    assert problem.hint == "remove the quotes: YAML reads a quoted value as a string"
    _follow(project, 'replicas: "2"', "replicas: 2")


def test_a_float_where_a_version_belongs_is_quoted_as_written(project: Path) -> None:
    with prd(project).open("a") as fh:
        fh.write("kubernetesVersion: 1.30\n")
    [problem] = problems_of(project)
    assert problem.path == "kubernetesVersion"
    assert problem.message == "Input should be a valid string, got 1.30"  # not 1.3
    assert problem.hint == 'quote it so YAML keeps it a string: "1.30"'
    _follow(project, "kubernetesVersion: 1.30", 'kubernetesVersion: "1.30"')
    assert load(project, "prd").model.kubernetes_version == "1.30"


@pytest.mark.parametrize("written", ["17.50", "17", "1e3"])
def test_a_number_where_a_string_belongs_is_quoted_exactly_as_written(project: Path, written: str) -> None:
    replace_in(prd(project), "postgres:\n", f"postgres:\n  version: {written}\n")
    [problem] = problems_of(project)
    assert problem.path == "postgres.version"
    assert problem.hint == f'quote it so YAML keeps it a string: "{written}"'
    replace_in(prd(project), f"  version: {written}\n", f'  version: "{written}"\n')
    try:
        load(project, "prd")
    except SpecError as exc:  # quoted, the value is read as the user typed it; only its format may be wrong
        assert [p.message for p in exc.problems] != [problem.message]
        assert all("valid string" not in p.message for p in exc.problems)


def test_a_quoted_boolean_is_told_to_remove_the_quotes_and_yes_is_not(project: Path) -> None:
    # no boolean field in the spec today: the hint logic is checked on the diagnostics directly
    from pydantic import BaseModel, ConfigDict, ValidationError

    from gitopsgen.spec.diagnostics import problems_from_validation
    from gitopsgen.spec.loader import load_spec_source

    class Flags(BaseModel):
        model_config = ConfigDict(strict=True, extra="ignore")
        quoted: bool
        word: bool

    with prd(project).open("a") as fh:
        fh.write('quoted: "true"\nword: yes\n')
    source = load_spec_source(project, "prd")
    with pytest.raises(ValidationError) as caught:
        Flags.model_validate(source.data)
    hints = {p.path: p.hint for p in problems_from_validation(caught.value, source, Flags)}
    assert hints == {"quoted": "remove the quotes: YAML reads a quoted value as a string",
                     "word": "write true or false"}
