"""Architecture rules of recp, checked by ``make lint`` beside import-linter's layers contract.

1. No import cycle between the modules of ``src/recp``. Imports under ``if TYPE_CHECKING:`` are
   type hints, not dependencies (import-linter's contract excludes them the same way).
2. No function longer than :data:`MAX_LINES` lines of code (docstring, comments and blank lines
   not counted).
3. No private name (``_x``) imported from another module.
4. No import inside a function, except heavy ones kept off the CLI's start-up path, each marked
   with a ``# lazy:`` comment on the import line or the line above it.

Prints one line per problem (``file:line: what``) and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "recp"
MAX_LINES = 100


def code_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of code of a function: its span less docstring, comments and blank lines."""
    skip: set[int] = set()
    first = node.body[0] if node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        skip = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    end = node.end_lineno or node.lineno
    return sum(
        1
        for i in range(node.lineno, end + 1)
        if i not in skip and lines[i - 1].strip() and not lines[i - 1].strip().startswith("#")
    )


def function_problems(path: Path) -> Iterator[str]:
    """Long functions, private imports and unmarked function-local imports of one file."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    where = path.relative_to(ROOT)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = code_lines(lines, node)
            if n > MAX_LINES:
                yield (
                    f"{where}:{node.lineno}: {node.name} has {n} lines of code "
                    f"(at most {MAX_LINES})"
                )
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    marked = "# lazy:" in lines[inner.lineno - 1] or (
                        inner.lineno > 1 and "# lazy:" in lines[inner.lineno - 2]
                    )
                    if not marked:
                        yield (
                            f"{where}:{inner.lineno}: import inside {node.name}(): move it to the "
                            "top, or mark it '# lazy: <why>' if it keeps the CLI's start-up fast"
                        )
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("recp"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"{where}:{node.lineno}: imports private {node.module}.{alias.name}"


def cycles() -> list[list[str]]:
    """Strongly connected groups of modules (each a cycle); type-checking imports left out."""
    graph = grimp.build_graph("recp", exclude_type_checking_imports=True)
    adj = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in adj.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in adj.get(v, ()):
                out.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(adj):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    """Check every rule; print the problems."""
    sys.path.insert(0, str(SRC.parent))
    problems = [p for f in sorted(SRC.rglob("*.py")) for p in function_problems(f)]
    problems += [f"import cycle: {' -> '.join(group)}" for group in cycles()]
    for p in problems:
        print(p)
    if not problems:
        print("architecture: no cycle, no long function, no private or unmarked local import")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
