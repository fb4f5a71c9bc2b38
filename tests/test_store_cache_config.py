"""The download cache (gitopsgen.core.cache) and the configuration file (gitopsgen.core.config)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gitopsgen.core import cache, config
from gitopsgen.core.errors import ConfigError


def test_cache_root_prefers_gitopsgen_cache_dir_then_xdg_then_home(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("GITOPSGEN_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.root() == tmp_path / "explicit"
    monkeypatch.delenv("GITOPSGEN_CACHE_DIR")
    assert cache.root() == tmp_path / "xdg" / "gitopsgen"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.root() == tmp_path / "home" / ".cache" / "gitopsgen"


def test_cache_layout_is_keyed_by_the_repository_url_as_written() -> None:
    repo = "https://cloudnative-pg.github.io/charts"
    key = hashlib.sha256(repo.encode()).hexdigest()[:16]
    expected = cache.root() / "charts" / key / "cloudnative-pg-0.29.0.tgz"
    assert cache.chart_path(repo, "cloudnative-pg", "0.29.0") == expected
    assert cache.index_path(repo) == cache.root() / "indexes" / f"{key}.yaml"
    assert cache.index_path(repo + "/") != cache.index_path(repo)
    url = "https://example.org/crds/widget.yaml?ref=v1"
    assert cache.url_path(url) == cache.root() / "urls" / f"{hashlib.sha256(url.encode()).hexdigest()}.yaml"


def test_cache_stores_only_what_passes_its_check_and_atomically(tmp_path: Path) -> None:
    def check(data: bytes) -> None:
        if not data.startswith(b"ok"):
            raise ValueError("not ok")

    target = tmp_path / "c" / "entry"
    with pytest.raises(ValueError):
        cache.store(target, b"bad", check)
    assert not (tmp_path / "c").exists()  # checked before anything is written
    cache.store(target, b"ok 1", check)
    assert cache.load(target, check) == b"ok 1"
    assert [p.name for p in target.parent.iterdir()] == ["entry"]  # no temporary files left
    target.write_bytes(b"tampered")
    assert cache.load(target, check) is None
    assert cache.load(tmp_path / "absent", check) is None


def test_no_configuration_file_means_defaults(tmp_path: Path) -> None:
    assert config.load(tmp_path) == config.Config()


def test_configuration_values_and_paths_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "gitopsgen.toml").write_text(
        '[validate]\nschema-locations = ["crds", "/abs", "https://h/{{.Group}}.json"]\nstrict = false\n'
        'kubernetes-version = "1.31"\n\n[schemas]\ncrd-urls = ["https://h/a.yaml", "local/b.yaml"]\n'
        '[schemas.mirrors]\n"https://charts.example.org" = "http://127.0.0.1:8080/charts"\n')
    settings = config.load(tmp_path)
    assert settings.schema_locations == (str(tmp_path / "crds"), "/abs", "https://h/{{.Group}}.json")
    assert (settings.strict, settings.kubernetes_version) == (False, "1.31")
    assert settings.crd_urls == ("https://h/a.yaml", str(tmp_path / "local" / "b.yaml"))
    assert settings.mirror("https://charts.example.org") == "http://127.0.0.1:8080/charts"
    assert settings.mirror("https://other") is None


def test_every_problem_of_the_file_is_reported_at_once_with_lines(tmp_path: Path) -> None:
    (tmp_path / "gitopsgen.toml").write_text(
        '# settings\n[validate]\nstric = true\nstrict = 1\n\n[schemas]\nmirrors = { a = "ftp://x" }\n'
        'crd-url = []\n')
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path)
    found = [(p.line, p.path) for p in caught.value.problems]
    assert found == [(3, "validate.stric"), (4, "validate.strict"), (7, "schemas.mirrors"), (8, "schemas.crd-url")]
    assert all(p.file == "gitopsgen.toml" and p.rule == "config" for p in caught.value.problems)
    unknown = next(p for p in caught.value.problems if p.path == "schemas.crd-url")
    assert unknown.hint == "known keys: crd-urls, mirrors"


def test_a_dotted_key_is_found_on_its_line(tmp_path: Path) -> None:
    (tmp_path / "gitopsgen.toml").write_text('# settings\n\nvalidate.stric = true\n')
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path)
    assert [(p.line, p.path) for p in caught.value.problems] == [(3, "validate.stric")]
