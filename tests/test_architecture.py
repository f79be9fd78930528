"""The import picture the README's architecture section draws, checked on the source itself.

Imports point inward (the domain core imports nothing of the rest; search and storage only the
core), there is no import circle anywhere in the package (lazy imports inside functions included),
and the tipline, the tips desk and messaging meet only in the composition root (``benarkah.app``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "benarkah"
BASE = ("errors", "settings")  # what every layer may use: typed errors and the one settings object


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every benarkah module this file imports, at any depth of the file (TYPE_CHECKING too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("benarkah"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("benarkah"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)  # "from .x import module"
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_circles(graph):
    """Tarjan's strongly connected components: every one must be a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == []


@pytest.mark.parametrize("inner, allowed", [
    ("domain", {"domain", *BASE}),
    ("search", {"search", "domain", "storage", *BASE}),
    ("storage", {"storage", "domain", *BASE}),
    ("privacy", {"privacy", *BASE}),
])
def test_imports_point_inward(graph, inner, allowed):
    wrong = sorted((m, i) for m, deps in graph.items() if layer(m) == inner for i in deps if layer(i) not in allowed)
    assert wrong == []


def test_tipline_tips_and_messaging_meet_only_in_the_composition_root(graph):
    apart = {"tipline", "tips", "messaging"}
    crossings = sorted((m, i) for m, deps in graph.items() if layer(m) in apart
                       for i in deps if layer(i) in apart and layer(i) != layer(m))
    assert crossings == []
    together = sorted(m for m, deps in graph.items() if apart <= {layer(i) for i in deps})
    assert together == ["benarkah.app"]


def test_the_core_services_never_reach_for_the_edges(graph):
    edges = {"web", "cli", "admin", "channels"}
    core = {"domain", "search", "storage", "privacy", "tipline", "tips", "messaging", "ingest", "metrics",
            "publishing"}
    wrong = sorted((m, i) for m, deps in graph.items() if layer(m) in core for i in deps if layer(i) in edges)
    assert wrong == []
