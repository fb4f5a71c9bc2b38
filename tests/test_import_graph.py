"""The package reads as the pipeline: packages named for the stages, imports only downwards (cli at
the top; facts and core at the bottom) and no import cycles between modules, function-level
imports (kept for start-up time) included. TYPE_CHECKING imports are types only and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "gitopsgen"

LAYERS = ("core", "facts", "tree", "spec", "context", "render", "store", "validate", "run", "diff", "report", "cli")
"""Bottom to top: a package may import its own modules and those of packages before it."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The gitopsgen modules `name` imports at run time (module level and inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                out.update(filter(None, (resolve(a.name) for a in child.names if a.name.startswith("gitopsgen"))))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - child.level + 1], base]).strip(".")
                if base.startswith("gitopsgen"):
                    subs = {resolve(f"{base}.{a.name}") for a in child.names}
                    out.update(filter(None, subs if subs - {resolve(base)} else {resolve(base)}))
            visit(child)

    visit(ast.parse(path.read_text()))
    return out - {name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_top_level_module_is_in_a_stage_package() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert loose == []
    assert set(folders) == set(LAYERS)


def test_imports_only_go_downwards(graph: dict[str, set[str]]) -> None:
    upward = []
    for module, targets in graph.items():
        here = _layer(module)
        for target in targets:
            there = _layer(target)
            if here and there and here != there and LAYERS.index(there) > LAYERS.index(here):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_there_are_no_import_cycles(graph: dict[str, set[str]]) -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    assert cycles == []


def test_the_graph_is_read_at_all(graph: dict[str, set[str]]) -> None:
    """Guards the tests above against passing on an empty or unresolved graph."""
    assert len(graph) > 100
    assert "gitopsgen.run.unit" in graph["gitopsgen.run.render"]
    assert "gitopsgen.core.problems" in graph["gitopsgen.validate.rules"]
