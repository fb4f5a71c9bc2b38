"""Our importer on the upstream CRDs and charts beside the checkout (../shared; skipped without it).

* Differential: the schemas our code imports from ../shared/crds accept and reject exactly the same
  documents as the independent reference conversion ../shared/schemas/crds-strict, for every file
  the reference has: the custom resources of the real dev and prd renders, a document generated
  from each schema, and many mutated copies of each (every node replaced by a value of another
  type, an unknown key at every object level, every key removed, strings that no enum or pattern
  takes, out-of-range numbers, empty and duplicated lists, nulls).

  Where our conversion goes beyond the reference on purpose, the two would differ: a closed
  `x-kubernetes-embedded-resource` object also takes apiVersion/kind/metadata (the API server
  allows them implicitly), and a nullable int-or-string also takes null. No upstream CRD here uses
  either, which `test_the_upstream_crds_use_none_of_our_deliberate_differences` asserts, so the
  comparison below is exact. Our files also keep every `x-kubernetes-*` keyword and add
  `x-gitopsgen-crd`; validators ignore unknown keywords, which the exact comparison proves.

* Currency: the store packaged in src/gitopsgen/store/default is byte-identical to a fresh import of
  the same sources with their upstream origins (`make store` regenerates it), and its lock names
  upstream URLs only, with the digest of each input.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from gitopsgen.store import origins
from gitopsgen.store.importing import ImportOptions, import_sources
from gitopsgen.tree.manifests import RenderedTree
from store_support import REPO_ROOT, SHARED, STORE_CHARTS, STORE_CRDS, STORE_ORIGINS, shared, store_sources

ORACLE = SHARED / "schemas" / "crds-strict"
ORACLE_FILES = sorted(p.relative_to(ORACLE).as_posix() for p in ORACLE.glob("*/*.json")) or ["(no ../shared)"]
PACKAGED = REPO_ROOT / "src" / "gitopsgen" / "store" / "default"
MAX_MUTATIONS = 300
"""Per document, a deterministic sample: enough to touch every kind of node, and fast."""

Path_ = tuple[str | int, ...]
Mutation = tuple[Path_, str, Callable[[Any], Any]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh import of the packaged store's sources, as `make store` runs it."""
    out = tmp_path_factory.mktemp("store")
    import_sources(ImportOptions(REPO_ROOT, tuple(store_sources(shared())), out, STORE_ORIGINS))
    return out


# --- documents ---------------------------------------------------------------------------------


_STRINGS = ("x", "1", "1d", "10Gi", "@daily", "example.org", "a-b", "s3://bucket/path", "1h", "v1", "A")


def sample(schema: dict[str, Any], depth: int = 0) -> Any:
    """A plausible instance of `schema`: every property down to depth 2, required ones deeper."""
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), None)
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "anyOf" in schema:
        return 1
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = [name for name in schema.get("required", []) if name in properties]
        wanted = [name for name in properties if depth < 2 or (name in required and depth < 8)]
        wanted = [*required, *(n for n in wanted if n not in required)][: schema.get("maxProperties", len(properties))]
        wanted += [n for n in properties if n not in wanted][: max(0, schema.get("minProperties", 0) - len(wanted))]
        out = {name: sample(properties[name], depth + 1) for name in wanted}
        if not out and isinstance(schema.get("additionalProperties"), dict):
            out = {"key": sample(schema["additionalProperties"], depth + 1)}
        return out
    if kind == "array":
        return [sample(schema["items"], depth + 1)] if isinstance(schema.get("items"), dict) else []
    if kind == "string" and "pattern" in schema:
        return next((s for s in _STRINGS if re.search(schema["pattern"], s)), "x")
    return {"string": "x", "integer": 1, "number": 1.5, "boolean": True}.get(str(kind), "x")


def nodes(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from nodes(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from nodes(sub, (*path, index))


_OTHER_TYPES: list[tuple[str, Any]] = [("int", 7), ("str", "7"), ("bool", True), ("float", 2.5), ("null", None),
                                       ("object", {}), ("list", [])]
_REMOVE = object()


def mutations(doc: Any) -> Iterator[Mutation]:
    for path, value in nodes(doc):
        if path[:1] in (("apiVersion",), ("kind",)):
            continue
        for label, other in _OTHER_TYPES:
            if type(other) is not type(value):
                yield path, f"type->{label}", lambda _v, o=other: copy.deepcopy(o)
        if isinstance(value, dict):
            yield path, "unknown-key", lambda v: {**v, "gitopsgenUnknownField": "x"}
            for key in value:
                yield (*path, key), "remove", lambda _v: _REMOVE
        elif isinstance(value, str):
            yield path, "enum-or-pattern", lambda _v: "gitopsgen: not an enum value!"
            yield path, "empty-string", lambda _v: ""
            yield path, "long-string", lambda _v: "x" * 300
        elif isinstance(value, bool):
            yield path, "flip", lambda v: not v
        elif isinstance(value, int | float):
            yield path, "negative", lambda _v: -1
            yield path, "huge", lambda _v: 10**12
            yield path, "fraction", lambda _v: 0.5
        elif isinstance(value, list):
            yield path, "empty-list", lambda _v: []
            if value:
                yield path, "duplicate-item", lambda v: [*v, copy.deepcopy(v[0])]


def apply(doc: Any, path: Path_, change: Callable[[Any], Any]) -> Any:
    """A copy of `doc` with the node at `path` changed (containers copied along the path only)."""
    if not path:
        return change(doc)
    head, rest = path[0], path[1:]
    copied: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    new = apply(copied[head], rest, change)
    if new is _REMOVE:
        del copied[head]
    else:
        copied[head] = new
    return copied


def pattern(path: Path_) -> Path_:
    return tuple("*" if isinstance(p, int) else p for p in path)


def rendered_custom_resources(rendered: dict[str, RenderedTree], rel: str) -> list[Any]:
    group, name = rel.split("/")
    kind, version = name.removesuffix(".json").rsplit("_", 1)
    return [doc.data for env in ("dev", "prd") for doc in rendered[env].manifests()
            if doc.identity and doc.identity.group == group and doc.identity.version == version
            and doc.identity.kind.lower() == kind]


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", ORACLE_FILES)
def test_imported_schemas_accept_and_reject_what_the_reference_does(
        rel: str, imported: Path, rendered: dict[str, RenderedTree]) -> None:
    oracle_schema = json.loads((ORACLE / rel).read_text())
    ours = Draft7Validator(json.loads((imported / rel).read_text()))
    oracle = Draft7Validator(oracle_schema)
    real = rendered_custom_resources(rendered, rel)
    group, name = rel.split("/")
    synthetic = sample(oracle_schema)
    synthetic.update(apiVersion=f"{group}/{name.removesuffix('.json').rsplit('_', 1)[1]}", kind="Kind",
                     metadata={"name": "sample"})
    rng = random.Random(rel)
    seen: set[tuple[Path_, str]] = set()
    disagreements = []
    checked = 0
    for doc in [*real, synthetic]:
        assert ours.is_valid(doc) == oracle.is_valid(doc), (rel, "unmutated", doc)
        fresh = [m for m in mutations(doc) if (pattern(m[0]), m[1]) not in seen]
        for path, label, change in rng.sample(fresh, min(len(fresh), MAX_MUTATIONS)):
            seen.add((pattern(path), label))
            mutated = apply(doc, path, change)
            checked += 1
            if ours.is_valid(mutated) != oracle.is_valid(mutated):
                disagreements.append((label, path, ours.is_valid(mutated)))
    assert disagreements == [], f"{rel}: {len(disagreements)} of {checked} mutations judged differently"
    assert checked >= 20


def test_the_rendered_custom_resources_are_all_covered_by_the_reference(rendered: dict[str, RenderedTree]) -> None:
    shared()
    covered = {rel for rel in ORACLE_FILES if rendered_custom_resources(rendered, rel)}
    assert {"postgresql.cnpg.io/cluster_v1.json", "external-secrets.io/externalsecret_v1.json",
            "external-secrets.io/clustersecretstore_v1.json", "argoproj.io/application_v1alpha1.json",
            "redis.redis.opstreelabs.in/redis_v1beta2.json",
            "redis.redis.opstreelabs.in/redissentinel_v1beta2.json"} <= covered


def test_every_reference_file_has_its_counterpart_and_nothing_is_lost(imported: Path) -> None:
    for rel in ORACLE_FILES:
        assert (imported / rel).is_file(), rel
    # the reference conversion has no Gateway API or NGINX Gateway Fabric schemas
    unconverted = ("gateway.networking.k8s.io/", "gateway.nginx.org/")
    ours = {p.relative_to(imported).as_posix() for p in imported.glob("*/*.json")
            if not p.relative_to(imported).as_posix().startswith(unconverted)}
    # the rest of what the pinned charts install (crds-next/), which the reference does not convert either
    ours -= {p.relative_to(imported).as_posix() for group in ("cert-manager.io", "acme.cert-manager.io",
                                                               "generators.external-secrets.io")
             for p in (imported / group).glob("*.json")}
    ours -= {"external-secrets.io/pushsecret_v1alpha1.json", "external-secrets.io/clusterpushsecret_v1alpha1.json"}
    # what the reference does not convert: the CRDs its SOURCES.md leaves out
    assert sorted(ours - set(ORACLE_FILES)) == sorted([
        "external-secrets.io/clusterexternalsecret_v1.json", "external-secrets.io/clusterexternalsecret_v1beta1.json",
        *(f"postgresql.cnpg.io/{k}_v1.json" for k in ("clusterimagecatalog", "databaserole", "failoverquorum",
                                                     "imagecatalog", "publication", "subscription")),
    ])


def test_the_upstream_crds_use_none_of_our_deliberate_differences(imported: Path) -> None:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for rel in ORACLE_FILES:
        for node in walk(json.loads((imported / rel).read_text())):
            assert not (node.get("x-kubernetes-embedded-resource") and node.get("additionalProperties") is False), rel
            assert not (node.get("x-kubernetes-int-or-string") and node.get("nullable")), rel


def test_the_packaged_default_store_is_current(imported: Path) -> None:
    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    fresh, packaged = tree(imported), tree(PACKAGED)
    assert sorted(fresh) == sorted(packaged), "run `make store` and commit src/gitopsgen/store/default"
    stale = [path for path in fresh if fresh[path] != packaged[path]]
    assert stale == [], "run `make store` and commit src/gitopsgen/store/default"


def test_the_packaged_lock_names_upstream_origins_and_the_digest_of_each_input() -> None:
    lock = json.loads((PACKAGED / "lock.json").read_text())
    assert sorted(c["name"] for c in lock["charts"]) == sorted(STORE_CHARTS)
    known = origins.load(STORE_ORIGINS)
    for chart in lock["charts"]:
        assert chart["source"] == known[chart["name"]].url and chart["repository"] == known[chart["name"]].repository
    local = {Path(source).name: Path(source) for source in store_sources(shared())}
    for entry in lock["files"]:
        assert entry["source"].startswith("https://raw.githubusercontent.com/"), entry
        folder = next(f for f in local if entry["source"].startswith(known[f].url)  # two folders may share a URL
                      and (local[f] / entry["source"][len(known[f].url):]).is_file())
        relative = entry["source"][len(known[folder].url):]
        assert entry["digest"] == hashlib.sha256((local[folder] / relative).read_bytes()).hexdigest(), entry


def test_every_store_source_has_an_origin_and_every_origin_a_source() -> None:
    assert sorted(origins.load(STORE_ORIGINS)) == sorted(Path(s).name for s in store_sources(SHARED))


def test_the_makefile_builds_the_store_from_the_same_sources() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    for name in (*(c.split("/")[1] for c in STORE_CRDS), *STORE_CHARTS):
        assert name in makefile, name
    assert "--origins $(STORE_ORIGINS)" in makefile and f"STORE_ORIGINS := {STORE_ORIGINS.name}" in makefile
