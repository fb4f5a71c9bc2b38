"""House limits the code meets: functions stay short (ruff's complexity limits in pyproject.toml
cover branches, returns and statements; this covers length), and a longer one says why beside
its `def` (`# long: <reason>`)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "gitopsgen"
MAX_LINES = 60


def _long_functions_without_a_reason() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if (node.end_lineno or node.lineno) - node.lineno + 1 <= MAX_LINES:
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            around = lines[max(0, first - 2):node.lineno]  # the line above the def (or its decorators) and the def
            if not any("# long:" in line for line in around):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    return found


def test_no_function_is_longer_than_the_limit_without_a_reason() -> None:
    assert _long_functions_without_a_reason() == []


def test_the_check_sees_functions_at_all(tmp_path: Path) -> None:
    """Guards the test above: it finds the functions of the package and reads their lengths."""
    lengths = [(n.end_lineno or 0) - n.lineno for p in PACKAGE.rglob("*.py")
               for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.FunctionDef)]
    assert len(lengths) > 500 and max(lengths) > 30
