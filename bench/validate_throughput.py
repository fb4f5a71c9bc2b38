"""Validation throughput in one process: documents per second through every layer (core schemas,
the schema store, admission and CEL, chart values, the cross-resource rules, provenance and
redaction), on the example trees repeated to at least 1,000 documents. Medians of 5 after one
warm-up pass (which compiles validators and CEL programs once, as a long run would). Not a test.

Every round validates fresh copies of the trees (new `RenderedTree`, `RenderedFile` and document
objects, made outside the timing), as a run that renders each environment once would: nothing
cached on a tree (its index, line maps) is reused from an earlier round. The line "line maps
ready" is all layers with the line maps of the files that have findings (`RenderedFile.line_of`,
`.origin`: re-emitting and re-composing those files) built before the timing: the difference to
"all layers" is what placing the findings and their provenance costs.

    .venv/bin/python bench/validate_throughput.py [--documents 1000] [--runs 5] [--layers all,rules]
    .venv/bin/python bench/validate_throughput.py --profile all     # cProfile of one layer, top 40
    .venv/bin/python bench/validate_throughput.py --reference       # the fast path off, for the ratio
"""

from __future__ import annotations

import argparse
import copy
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from gitopsgen.run.render import render_trees
from gitopsgen.tree.manifests import RenderedTree, make_document
from gitopsgen.validate import SchemaOptions, charts, rules, schemas, validate_tree

ROOT = Path(__file__).resolve().parent.parent


def fresh(tree: RenderedTree) -> RenderedTree:
    """A copy of `tree` sharing no object that validation could cache something on."""
    files = {path: replace(f, documents=tuple(make_document(d.file, d.index, copy.deepcopy(d.data))
                                              for d in f.documents))
             for path, f in tree.files.items()}
    return RenderedTree(tree.env, files, tree.prefix, dict(tree.shown), tree.not_secrets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--layers", default="", help="comma-separated names (all, ready, schemas, charts, rules)")
    parser.add_argument("--profile", metavar="LAYER", help="print a cProfile of one layer instead of timing")
    parser.add_argument("--reference", action="store_true",
                        help="with the fast path off (gitopsgen.core.fastpath.disabled()), for comparison")
    args = parser.parse_args()
    if args.reference:
        from gitopsgen.core import fastpath  # imported here: the script also times older checkouts

        with fastpath.disabled():
            run(args)
    else:
        run(args)


def run(args: argparse.Namespace) -> None:
    trees = [item.tree for item in render_trees(ROOT, ["dev", "prd"])]
    per_round = sum(len(f.documents) for t in trees for f in t.files.values())
    rounds = math.ceil(args.documents / per_round)
    options = SchemaOptions("1.33")
    store = options.schema_store()
    options = replace(options, store=store)
    with_findings = {tree.env: {p.file for p in validate_tree(fresh(tree), options)} for tree in trees}

    def lines_ready(tree: RenderedTree) -> RenderedTree:
        for path in with_findings[tree.env]:
            rendered = tree.files.get(path.removeprefix(tree.display("")))
            if rendered is not None:
                rendered.node_at(1)
                rendered.origin(0, ())
        return tree

    layers: dict[str, tuple[str, Callable[[RenderedTree], Any]]] = {
        "all": ("all layers", lambda t: validate_tree(t, options)),
        "ready": ("all, line maps ready", lambda t: validate_tree(t, options)),
        "schemas": ("schemas+admission+CEL", lambda t: schemas.validate_tree(t, options)),
        "charts": ("chart values", lambda t: charts.validate_tree(t, store)),
        "rules": ("rules", rules.run),
    }
    chosen = [name.strip() for name in args.layers.split(",") if name.strip()] or list(layers)
    if args.profile:
        profile(layers[args.profile][1], trees, rounds)
        return
    for name in chosen:
        label, fn = layers[name]
        for tree in trees:
            fn(fresh(tree))  # warm-up
        times = []
        for _ in range(args.runs):
            batch = [fresh(tree) for _ in range(rounds) for tree in trees]
            if name == "ready":
                batch = [lines_ready(tree) for tree in batch]
            start = time.perf_counter()
            for tree in batch:
                fn(tree)
            times.append(time.perf_counter() - start)
        docs = per_round * rounds
        median = statistics.median(times)
        print(f"{label:<24} {docs} documents: median {median:.3f} s = {docs / median:,.0f} documents/s")


def profile(fn: Callable[[RenderedTree], Any], trees: list[RenderedTree], rounds: int) -> None:
    import cProfile
    import pstats

    for tree in trees:
        fn(fresh(tree))
    batch = [fresh(tree) for _ in range(rounds) for tree in trees]
    profiler = cProfile.Profile()
    profiler.enable()
    for tree in batch:
        fn(tree)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
