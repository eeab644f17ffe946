"""Layers: imports run one way.

Every module of `meshlint/` and `rules/` (installed as `meshlint.rules`) is parsed; imports inside
functions count as much as those at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

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


def _edges() -> set[tuple[str, str]]:
    """(importer, imported) for every import between the modules."""
    modules = _modules()
    return {
        (name, target)
        for name, path in modules.items()
        for target in _imports(name, path, set(modules))
    }


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The nodes that can reach each other through ``edges``, in groups of two or more."""
    after: dict[str, set[str]] = {}
    for a, b in edges:
        after.setdefault(a, set()).add(b)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in after.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reached = {node: reach(node) for node in after}
    groups = {
        frozenset(n for n in reached if n in reached[node] and node in reached[n])
        for node in reached
    }
    return sorted(sorted(g) for g in groups if len(g) > 1)


def _unit(module: str) -> str:
    """meshlint's top-level package or single module that `module` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_rules_never_import_rules():
    rule_to_rule = sorted(
        (a, b)
        for a, b in _edges()
        if a.startswith(RULES + ".") and b.startswith(RULES + ".") and b != RULES
    )
    assert rule_to_rule == []


def test_no_cycle_between_meshlint_packages():
    units = {(_unit(a), _unit(b)) for a, b in _edges() if _unit(a) != _unit(b)}
    assert _cycles(units) == []


def test_every_rule_id_is_in_a_documented_range():
    from meshlint.engine.registry import builtin_rules
    from meshlint.engine.rule import ID_RANGES

    assert {r.id for r in builtin_rules() if r.id[:3] not in ID_RANGES} == set()
