"""argocd-version: no field that the environment's Argo CD version silently drops."""

from __future__ import annotations

from pathlib import Path

from gitopsgen.run.render import render_trees
from gitopsgen.spec import load
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import argocd_version
from kit import assert_findings, copy_examples, line_with, mutate, replace_in

PROJECT = "apps/project.yaml"
DATA = "apps/data.yaml"
VERSION = "gitopsgen.io/argocd-version"


def declare(version: str) -> object:
    return lambda d: d[0]["metadata"]["annotations"].update({VERSION: version})


def test_the_default_version_is_what_the_templates_need(rendered: dict[str, RenderedTree], repo_root: Path) -> None:
    for env, tree in rendered.items():
        assert load(repo_root, env).model.argocd.version == "3.3.0"
        assert argocd_version.declared(tree) == (3, 3, 0)
        assert_findings(argocd_version, tree, [])


def test_argo_cd_3_2_would_drop_the_namespace_names_of_the_project(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PROJECT, declare("3.2.4"))
    names = tree.files[PROJECT].text.count("kind: Namespace")
    assert names >= 3
    found = assert_findings(argocd_version, tree, [
        (PROJECT, line_with(tree, PROJECT, "kind: Namespace", i) + 1) for i in range(1, names + 1)])
    assert "needs Argo CD 3.3.0" in found[0].message and "every Namespace" in found[0].message


def test_argo_cd_3_1_would_drop_retry_refresh_too(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PROJECT, declare("v3.1.0"))
    found = [p for p in argocd_version.check(tree) if p.doc.file == DATA]
    assert [f.path for f in found] == [("spec", "syncPolicy", "retry", "refresh")]
    assert "failed commit" in found[0].message


def test_an_old_version_in_the_spec_is_found_in_its_render(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    replace_in(tmp_path / "environments" / "dev.yaml", "argocd:\n", "argocd:\n  version: 3.2.0\n")
    tree = render_trees(tmp_path, ["dev"])[0].tree
    assert argocd_version.declared(tree) == (3, 2, 0)
    assert {f.path[-1] for f in argocd_version.check(tree)} == {"name"}


def test_a_tree_that_declares_no_version_is_not_checked(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], PROJECT, lambda d: d[0]["metadata"]["annotations"].pop(VERSION))
    assert argocd_version.declared(tree) is None
    assert_findings(argocd_version, tree, [])
