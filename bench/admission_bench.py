"""Documents per second of the admission layers (CEL rules, list maps, embedded resources, metadata).

    .venv/bin/python bench/admission_bench.py [--crds ../shared/crds] [--store DIR] [--docs 1000] [--runs 5]

Renders the example environments (dev, prd) in memory, takes their custom resources, repeats them
to at least `--docs` documents and times `admission.check_custom_resource` over all of them; the
median of `--runs` runs is reported, plus the same for built-in kinds (`admission.check_core`)
and for the CEL layer alone. Schemas come from the raw CRDs in `--crds` (kubeconform-free: the
`openAPIV3Schema` of each version, Helm template lines dropped) or, with `--store`, from a schema
store laid out as `{group}/{kind}_{version}.json`. Plans and compiled rules are warmed once before
timing, as they are in a long-running validation. Nothing here is asserted; tests never time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gitopsgen.run.render import render_trees
from gitopsgen.validate import admission, cel

ROOT = Path(__file__).resolve().parent.parent


def schemas_from_crds(folder: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.yaml")):
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("{{"))
        for crd in yaml.load_all(text, Loader=loader):
            if not (isinstance(crd, dict) and crd.get("kind") == "CustomResourceDefinition"):
                continue
            spec = crd["spec"]
            served = [v["name"] for v in spec["versions"] if v.get("served")]
            for version in spec["versions"]:
                schema = dict(version["schema"]["openAPIV3Schema"])
                schema["x-gitopsgen-crd"] = {
                    "group": spec["group"], "kind": spec["names"]["kind"], "version": version["name"],
                    "plural": spec["names"]["plural"], "scope": spec["scope"], "served": bool(version.get("served")),
                    "storage": bool(version.get("storage")), "deprecated": bool(version.get("deprecated")),
                    "servedVersions": served}
                out[(spec["group"], version["name"], spec["names"]["kind"])] = schema
    return out


def schema_lookup(args: argparse.Namespace) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    if args.store:
        store = Path(args.store)

        def from_store(data: dict[str, Any]) -> dict[str, Any] | None:
            group, _, version = str(data["apiVersion"]).rpartition("/")
            path = store / group / f"{str(data['kind']).lower()}_{version}.json"
            return json.loads(path.read_text()) if path.is_file() else None

        cache: dict[tuple[str, str], dict[str, Any] | None] = {}
        return lambda d: cache.setdefault((d["apiVersion"], d["kind"]), from_store(d))
    crds = schemas_from_crds(Path(args.crds))
    if not crds:
        raise SystemExit(f"no CRDs under {args.crds}")

    def from_crds(data: dict[str, Any]) -> dict[str, Any] | None:
        group, _, version = str(data["apiVersion"]).rpartition("/")
        return crds.get((group, version, str(data["kind"])))

    return from_crds


def median_rate(work: Callable[[], int], runs: int) -> tuple[float, int]:
    rates = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        count = work()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crds", default=str(ROOT.parent / "shared" / "crds"))
    parser.add_argument("--store", help="a schema store ({group}/{kind}_{version}.json) instead of --crds")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    lookup = schema_lookup(args)
    custom: list[tuple[dict[str, Any], dict[str, Any]]] = []
    builtin: list[dict[str, Any]] = []
    for item in render_trees(ROOT, ["dev", "prd"]):
        for doc in item.tree.manifests():
            schema = lookup(doc.data)
            if schema is not None:
                custom.append((doc.data, schema))
            else:
                builtin.append(doc.data)
    if not custom:
        raise SystemExit("no custom resource of the rendered trees has a schema")

    def repeat(items: list[Any]) -> list[Any]:
        return (items * (args.docs // len(items) + 1))[:max(args.docs, len(items))] if items else []

    custom_docs, builtin_docs = repeat(custom), repeat(builtin)
    with_rules = sum(1 for _, schema in custom if cel.has_rules(schema))
    errors = [f for data, schema in custom for f in admission.check(data, schema) if f.severity >= 2]

    def run_custom() -> int:
        for data, schema in custom_docs:
            admission.check_custom_resource(data, schema)
        return len(custom_docs)

    def run_cel() -> int:
        for data, schema in custom_docs:
            cel.evaluate(data, schema)
        return len(custom_docs)

    ruled_docs = repeat([(data, schema) for data, schema in custom if cel.has_rules(schema)])

    def run_ruled() -> int:
        for data, schema in ruled_docs:
            admission.check_custom_resource(data, schema)
        return len(ruled_docs)

    def run_builtin() -> int:
        for data in builtin_docs:
            admission.check_core(data, "1.33")
        return len(builtin_docs)

    print(f"custom resources: {len(custom)} distinct ({with_rules} with CEL rules), "
          f"built-in: {len(builtin)} distinct; errors on the real trees: {len(errors)}")
    for label, work in (("custom resources, all admission layers", run_custom),
                        ("custom resources, CEL only", run_cel),
                        ("only those with CEL rules, all layers", run_ruled),
                        ("built-in kinds (metadata, list maps)", run_builtin)):
        if (work is run_builtin and not builtin_docs) or (work is run_ruled and not ruled_docs):
            continue
        work()  # warm: plans and compiled rules are cached per schema and rule
        rate, count = median_rate(work, args.runs)
        print(f"{label:40s} {rate:10,.0f} docs/s  (median of {args.runs} runs over {count} documents)")


if __name__ == "__main__":
    sys.exit(main())
