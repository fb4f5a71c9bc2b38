"""argocd-value-files: multi-source value files resolve to files of this render (DOMAIN X31)."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_value_files
from kit import assert_findings, findings, line_with, mutate, places


def _value_file(raw: str) -> Any:
    def change(app: Any) -> None:
        app["spec"]["sources"][0]["helm"]["valueFiles"] = [raw]

    return change


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("$values/rendered/dev/values/missing.yaml", "produces no values/missing.yaml"),
        ("$values/rendered/prd/values/reloader.yaml", "outside rendered/dev/"),
        ("$config/rendered/dev/values/reloader.yaml", "no sibling source has ref: config"),
        ("values/$values/rendered/dev/values/reloader.yaml", "other than as the leading"),
        ("$values", "names no file"),
    ],
)
def test_value_files_rule_points_at_the_bad_value_file(rendered: dict[str, RenderedTree], raw: str, words: str) -> None:
    tree = mutate(rendered["dev"], "apps/reloader.yaml", _value_file(raw), doc=0)
    problems = findings(argocd_value_files, tree)
    line = line_with(tree, "apps/reloader.yaml", f"- {raw}")
    assert places(problems) == [("apps/reloader.yaml", line)]
    assert words in problems[0].message


def test_value_files_rule_refuses_a_ref_source_with_a_chart(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["dev"], "apps/reloader.yaml", lambda a: a["spec"]["sources"][1].update(chart="reloader"),
                  doc=0)
    assert_findings(argocd_value_files, tree, [
        ("apps/reloader.yaml", line_with(tree, "apps/reloader.yaml", "ref: values"))
    ])


def test_value_files_rule_needs_multi_source_for_a_ref(rendered: dict[str, RenderedTree]) -> None:
    def single(app: Any) -> None:
        app["spec"]["source"] = app["spec"].pop("sources")[0]

    tree = mutate(rendered["dev"], "apps/reloader.yaml", single, doc=0)
    assert_findings(argocd_value_files, tree, [
        ("apps/reloader.yaml", line_with(tree, "apps/reloader.yaml", "$values/"))
    ])


def test_value_files_rule_warns_about_keys_shadowed_by_values_object(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(
        rendered["dev"],
        "apps/reloader.yaml",
        lambda a: a["spec"]["sources"][0]["helm"].update(
            valuesObject={"reloader": {"reloadStrategy": "env-vars"}, "other": 1}
        ), doc=0)
    problems = findings(argocd_value_files, tree)
    assert [(*place, p.severity) for place, p in zip(places(problems), problems, strict=True)] == [
        (
            "apps/reloader.yaml",
            line_with(tree, "apps/reloader.yaml", "reloadStrategy: env-vars"),
            Severity.WARNING,
        )
    ]
