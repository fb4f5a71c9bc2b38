"""`gitopsgen render --all --check` passes on the committed tree: rendered/ is in sync with the
templates and specs, and valid against the real schemas (CRDs and chart values)."""

from __future__ import annotations

from pathlib import Path

from kit import cli


def _check_in_sync(repo_root: Path, *extra: str) -> None:
    result = cli("render", "dev", "prd", "--check", *extra, "--root", repo_root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rendered/dev: in sync" in result.stdout
    assert "rendered/prd: in sync" in result.stdout
    assert "error" not in result.stderr


def test_render_check_passes_on_the_committed_tree(repo_root: Path) -> None:
    _check_in_sync(repo_root)


def test_render_check_passes_with_the_strict_reference_schemas(repo_root: Path, shared_schemas: Path) -> None:
    _check_in_sync(repo_root, "--schema-location", str(shared_schemas / "crds-strict"), "--strict",
                   "--chart-schema-location", str(shared_schemas / "charts"))


def test_committed_tree_holds_the_delivery_layer(repo_root: Path) -> None:
    for env in ("dev", "prd"):
        base = repo_root / "rendered" / env
        assert (base / "bootstrap" / "root.yaml").is_file()
        assert len(list((base / "apps").glob("*.yaml"))) >= 10
        assert {p.name for p in (base / "values").glob("*.yaml")} >= {
            "cloudnative-pg.yaml",
            "redis-operator.yaml",
            "external-secrets.yaml",
            "reloader.yaml",
            "nginx-gateway-fabric.yaml",
        }


def test_render_check_reports_a_hand_edited_values_file(project: Path) -> None:
    assert cli("render", "--all", "--root", project).returncode == 0
    values = project / "rendered" / "prd" / "values" / "reloader.yaml"
    values.write_text(values.read_text().replace("annotations", "env-vars"))
    result = cli("render", "--all", "--check", "--root", project)
    assert result.returncode == 1
    assert "rendered/prd/values/reloader.yaml: differs from the render" in result.stdout
