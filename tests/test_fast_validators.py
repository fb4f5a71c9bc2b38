"""jsonschema-rs (the fast yes/no of `validate.compiled`) accepts and rejects exactly the documents
jsonschema (the reference, which explains failures) does, on the corpus:

* the manifests of the real dev and prd renders and mutated copies of each (every node replaced by
  a value of another type, an unknown key at every object level, every key removed, strings no
  enum or pattern takes, out-of-range numbers, empty and duplicated lists, nulls: the mutations of
  the store's differential test, tests/test_store_upstream.py), for core kinds (kubernetes-validate's
  strict schemas, `$ref`s into their shared definitions) and custom resources (the packaged store);
* the broken inputs of the validation corpus (tests/test_validation_corpus.py);
* a document generated from every CRD schema of the packaged store and from core kinds the
  examples do not render, and their mutations;
* chart values: every chart's defaults, the merged values of the real trees, a document generated
  from each values schema, and their mutations.

Mutations are a deterministic sample (a seeded choice per schema), deduplicated by (path pattern,
mutation) per schema, so that the test stays fast while touching every kind of node. Where
jsonschema-rs cannot read a document (a key that is not a string) it gives no verdict and
jsonschema decides: `fast_verdict` is None, never a guess.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gitopsgen.core import fastpath
from gitopsgen.store.locations import open_store
from gitopsgen.tree.manifests import Identity, RenderedTree
from gitopsgen.validate import SchemaOptions, charts, schemas, validate_tree
from gitopsgen.validate.compiled import Validator
from kit import REPO_ROOT, mutate
from test_store_upstream import apply, mutations, pattern, sample
from test_validation_corpus import CASES

VERSION = "1.33"
STORE = REPO_ROOT / "src" / "gitopsgen" / "store" / "default"
PER_SCHEMA = 250
"""Mutated documents per schema (a seeded sample of the distinct (path pattern, mutation) pairs)."""
CORE_SAMPLES = ("apps/v1 StatefulSet", "apps/v1 DaemonSet", "batch/v1 Job", "batch/v1 CronJob", "v1 Secret",
                "v1 ServiceAccount", "v1 PersistentVolumeClaim", "v1 Pod", "rbac.authorization.k8s.io/v1 Role",
                "rbac.authorization.k8s.io/v1 ClusterRoleBinding", "autoscaling/v2 HorizontalPodAutoscaler",
                "networking.k8s.io/v1 IngressClass")
"""Core kinds the examples do not render, checked on documents generated from their schemas."""


@pytest.fixture(scope="module")
def store() -> Any:
    return open_store(None)


def _validator(store: Any, api_version: str, kind: str) -> Validator:
    found = schemas.core_validator(VERSION, api_version, kind) or schemas.crd_validator(
        store, Identity(api_version, kind, None, "x"))
    assert found is not None, (api_version, kind)
    return found


def _variants(documents: Iterable[Any], seed: str, limit: int = PER_SCHEMA) -> Iterator[tuple[str, Any]]:
    """Each document as it is, then a seeded sample of the distinct mutations of all of them."""
    documents = list(documents)
    distinct: dict[tuple[Any, str], tuple[Any, Any, Any]] = {}
    for doc in documents:
        yield "unmutated", doc
        for path, label, change in mutations(doc):
            distinct.setdefault((pattern(path), label), (doc, path, change))
    keys = sorted(distinct, key=repr)
    for key in random.Random(seed).sample(keys, min(limit, len(keys))):
        doc, path, change = distinct[key]
        yield f"{key[1]} at {'.'.join(map(str, path))}", apply(doc, path, change)


def _disagreements(validator: Validator, variants: Iterable[tuple[str, Any]]) -> tuple[list[str], int, int]:
    """(what jsonschema-rs and jsonschema judged differently, documents checked, rejected by both)."""
    wrong: list[str] = []
    checked = rejected = 0
    assert validator.fast is not None
    for label, doc in variants:
        fast, reference = validator.fast_verdict(doc), validator.reference.is_valid(doc)
        assert fast is not None, f"jsonschema-rs gave no verdict on {label}"
        checked += 1
        rejected += not reference
        if fast != reference:
            wrong.append(f"{label}: jsonschema-rs {fast}, jsonschema {reference}")
    return wrong, checked, rejected


def _by_kind(trees: Iterable[RenderedTree]) -> dict[tuple[str, str], list[Any]]:
    found: dict[tuple[str, str], list[Any]] = {}
    for tree in trees:
        for doc in tree.manifests():
            found.setdefault((doc.ident.api_version, doc.ident.kind), []).append(doc.data)
    return found


def test_every_schema_the_examples_use_has_a_fast_validator(rendered: dict[str, RenderedTree], store: Any) -> None:
    for api_version, kind in _by_kind(rendered.values()):
        assert _validator(store, api_version, kind).fast is not None, (api_version, kind)
    for chart in sorted(p.name for p in (STORE / "charts").iterdir()):
        found = charts.find_chart(store, chart)
        assert found is not None
        assert found.validator is None or found.validator.fast is not None, chart


def test_jsonschema_rs_and_jsonschema_agree_on_the_rendered_manifests_and_their_mutations(
        rendered: dict[str, RenderedTree], store: Any) -> None:
    report, total, rejected = [], 0, 0
    for (api_version, kind), documents in sorted(_by_kind(rendered.values()).items()):
        wrong, checked, bad = _disagreements(_validator(store, api_version, kind),
                                             _variants(documents, f"{api_version} {kind}"))
        report += [f"{kind}: {w}" for w in wrong]
        total, rejected = total + checked, rejected + bad
    assert report == [], f"{len(report)} of {total} documents judged differently"
    assert total > 2000 and rejected > total // 3  # a real mix of valid and invalid documents


def test_jsonschema_rs_and_jsonschema_agree_on_the_broken_inputs_of_the_validation_corpus(
        rendered: dict[str, RenderedTree], store: Any) -> None:
    rejected = 0
    for case in CASES:
        tree = mutate(rendered["prd"], case.path, case.change)
        for doc in tree.files[case.path].documents:
            if doc.identity is None:
                continue
            validator = _validator(store, doc.identity.api_version, doc.identity.kind)
            assert validator.fast is not None
            fast, reference = validator.fast_verdict(doc.data), validator.reference.is_valid(doc.data)
            assert fast == reference, (case.name, doc.identity)
            rejected += not reference
    assert rejected >= 2  # the misspelled field and the wrong type


@pytest.mark.parametrize("rel", sorted(p.relative_to(STORE).as_posix() for p in STORE.glob("*/*.json")))
def test_jsonschema_rs_and_jsonschema_agree_on_documents_sampled_from_each_store_schema(rel: str, store: Any) -> None:
    schema = json.loads((STORE / rel).read_text())
    group = rel.split("/", maxsplit=1)[0]
    version = rel.removesuffix(".json").rsplit("_", 1)[1]
    kind = schema["x-gitopsgen-crd"]["kind"]
    doc = sample(schema)
    doc.update(apiVersion=f"{group}/{version}", kind=kind, metadata={"name": "sample"})
    wrong, checked, _ = _disagreements(_validator(store, f"{group}/{version}", kind), _variants([doc], rel, 120))
    assert wrong == [], f"{rel}: {len(wrong)} of {checked} documents judged differently: {wrong[:5]}"


def _inline(schema: Any, definitions: dict[str, Any], depth: int = 0) -> Any:
    """`schema` with `$ref`s replaced by their definitions (a few levels deep), for `sample`."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return _inline(definitions[ref.rpartition("/")[2]], definitions, depth + 1) if depth < 6 else {}
        return {k: _inline(v, definitions, depth) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline(v, definitions, depth) for v in schema]
    return schema


@pytest.mark.parametrize("what", CORE_SAMPLES)
def test_jsonschema_rs_and_jsonschema_agree_on_core_kinds_sampled_with_their_refs(what: str, store: Any) -> None:
    api_version, kind = what.split()
    validator = _validator(store, api_version, kind)
    folder = Path(schemas._core_registry(VERSION, True)[2])
    definitions = json.loads((folder / "_definitions.json").read_text())["$defs"]
    doc = sample(_inline(validator.schema, definitions))
    doc.update(apiVersion=api_version, kind=kind, metadata={"name": "sample"})
    wrong, checked, _ = _disagreements(validator, _variants([doc], what, 120))
    assert wrong == [], f"{what}: {len(wrong)} of {checked} documents judged differently: {wrong[:5]}"


def test_jsonschema_rs_and_jsonschema_agree_on_chart_values(rendered: dict[str, RenderedTree], store: Any) -> None:
    from gitopsgen.validate import toolkit

    merged: dict[str, list[Any]] = {}
    for tree in rendered.values():
        for app in toolkit.applications(tree):
            for source in toolkit.sources(app):
                paths = toolkit.values_paths(tree, app, source)
                if source.chart and paths:
                    found = charts.find_chart(store, source.chart)
                    defaults = found.defaults if found else {}
                    merged.setdefault(source.chart, []).append(toolkit.merged_values(tree, paths, defaults))
    report = []
    for chart in sorted(p.name for p in (STORE / "charts").iterdir()):
        found = charts.find_chart(store, chart)
        if found is None or found.validator is None:
            continue
        documents = [found.defaults, sample(found.validator.schema), *merged.get(chart, [])]
        wrong, _, _ = _disagreements(found.validator, _variants(documents, chart, 200))
        report += [f"{chart}: {w}" for w in wrong]
    assert report == []
    assert {"cloudnative-pg", "external-secrets", "reloader"} <= set(merged)


def test_a_document_jsonschema_rs_cannot_read_is_judged_by_jsonschema(rendered: dict[str, RenderedTree],
                                                                        store: Any) -> None:
    service = "manifests/example-api/service.yaml"
    tree = mutate(rendered["prd"], service, lambda d: d[0]["metadata"]["labels"].update({1: 2}))
    doc = tree.files[service].documents[0]
    validator = _validator(store, "v1", "Service")
    assert validator.fast is not None
    assert validator.fast_verdict(doc.data) is None
    assert validator.is_valid(doc.data) is validator.reference.is_valid(doc.data)
    fast = validate_tree(tree, SchemaOptions(VERSION))
    with fastpath.disabled():
        assert validate_tree(tree, SchemaOptions(VERSION)) == fast
    assert any(p.rule == "schema" and p.file.endswith(service) for p in fast)


def test_a_schema_is_compiled_by_jsonschema_rs_from_its_second_document_on() -> None:
    from jsonschema import Draft7Validator

    from gitopsgen.validate.compiled import COMPILE_AFTER, compile_validator

    validator = compile_validator(Draft7Validator({"type": "object", "required": ["kind"]}))
    verdicts = [validator.fast_verdict({"kind": "x"}) for _ in range(COMPILE_AFTER + 1)]
    assert verdicts == [None] * (COMPILE_AFTER - 1) + [True, True]
    assert validator.is_valid({}) is False and list(validator.iter_errors({}))


def test_with_the_fast_path_off_every_document_goes_to_jsonschema(rendered: dict[str, RenderedTree],
                                                                    store: Any) -> None:
    doc = rendered["prd"].files["manifests/example-api/service.yaml"].documents[0]
    validator = _validator(store, "v1", "Service")
    assert validator.fast is not None
    assert validator.fast_verdict(doc.data) is True
    with fastpath.disabled():
        assert validator.fast_verdict(doc.data) is None
        assert validator.is_valid(doc.data) is True
