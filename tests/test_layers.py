"""Layers: imports run one way.

Every module of `meshlint/` and `rules/` (installed as `meshlint.rules`) is parsed; imports inside
functions count as much as those at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from conftest import REPO

RULES = "meshlint.rules"


def _modules() -> dict[str, Path]:
    """Module name to file, for the engine and the rules."""
    found: dict[str, Path] = {}
    for root, package in ((REPO / "meshlint", "meshlint"), (REPO / "rules", RULES)):
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that `name` imports (a package's `__init__` counts as the package)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in known and t != name}


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        graph.add_edges_from((name, target) for target in _imports(name, path, set(modules)))
    return graph


def _unit(module: str) -> str:
    """meshlint's top-level package or single module that `module` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_rules_never_import_rules():
    graph = _graph()
    rule_to_rule = sorted(
        (a, b)
        for a, b in graph.edges
        if a.startswith(RULES + ".") and b.startswith(RULES + ".") and b != RULES
    )
    assert rule_to_rule == []


def test_no_cycle_between_meshlint_packages():
    graph = _graph()
    units = nx.DiGraph()
    units.add_edges_from((_unit(a), _unit(b)) for a, b in graph.edges if _unit(a) != _unit(b))
    cycles = sorted(sorted(c) for c in nx.strongly_connected_components(units) if len(c) > 1)
    assert cycles == []
