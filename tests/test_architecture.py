"""The shape of the code, checked: layers import only downwards, no module imports itself
through others (TYPE_CHECKING and function-level imports count), ports stay small, functions
stay readable, and adding a dialog needs new files plus one registry line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("knowledge", "engine", "dialogs", "bot")
LAYER = {name: rank for rank, name in enumerate(PACKAGES)}
MAX_FUNCTION_LINES = 60
MAX_PORT_METHODS = 15


def modules() -> dict[str, Path]:
    found = {}
    for package in (*PACKAGES, "bench"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every project module ``path`` imports, wherever the import statement is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            if name in known:
                yield name


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set(imports(path, known)) - {name}
        # "from a.b import c" where c is a module: the edge is to a.b.c, not to a.b
        edges[name] = {t for t in targets
                       if not any(other.startswith(t + ".") and other in targets
                                  for other in targets)} or targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_anywhere() -> None:
    assert cycles(graph()) == []


def test_layers_import_only_downwards() -> None:
    wrong = []
    for source, targets in graph().items():
        top = source.split(".")[0]
        if top not in LAYER:
            continue
        wrong += [f"{source} -> {t}" for t in targets
                  if t.split(".")[0] in LAYER and LAYER[t.split(".")[0]] > LAYER[top]]
    assert wrong == []


def test_ports_stay_small() -> None:
    for path in (ROOT / "dialogs").rglob("port.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", "") == "Protocol" for base in node.bases):
                methods = [n for n in node.body
                           if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
                assert len(methods) <= MAX_PORT_METHODS, f"{path}: {node.name}"


def test_functions_stay_readable() -> None:
    long = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert long == []


def test_no_legacy_services_left() -> None:
    assert not (ROOT / "dialogs" / "services_together.py").exists()
    assert not (ROOT / "bot" / "services_together.py").exists()
    assert not (ROOT / "dialogs" / "services.py").exists()
