"""Validation throughput in one process: documents per second through every layer (core schemas,
the schema store, admission and CEL, chart values, the cross-resource rules), on the example
trees repeated to at least 1,000 documents. Medians of 5 after one warm-up pass (which compiles
validators and CEL programs once, as a long run would). Not a test.

    .venv/bin/python bench/validate_throughput.py [--documents 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from pathlib import Path

from gitopsgen.pipeline import render_trees
from gitopsgen.validate import SchemaOptions, charts, rules, schemas, validate_tree

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    trees = [item.tree for item in render_trees(ROOT, ["dev", "prd"])]
    per_round = sum(len(f.documents) for t in trees for f in t.files.values())
    rounds = math.ceil(args.documents / per_round)
    options = SchemaOptions("1.33")
    store = options.schema_store()
    from dataclasses import replace

    options = replace(options, store=store)
    layers = {
        "all layers": lambda t: validate_tree(t, options),
        "schemas+admission+CEL": lambda t: schemas.validate_tree(t, options),
        "chart values": lambda t: charts.validate_tree(t, store),
        "rules": rules.run,
    }
    for name, fn in layers.items():
        for tree in trees:
            fn(tree)  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            for _ in range(rounds):
                for tree in trees:
                    fn(tree)
            times.append(time.perf_counter() - start)
        docs = per_round * rounds
        median = statistics.median(times)
        print(f"{name:<24} {docs} documents: median {median:.3f} s = {docs / median:,.0f} documents/s")


if __name__ == "__main__":
    main()
