"""Packaging: every rule folder is installed, and the rules are discovered."""

from __future__ import annotations

import tomllib

from meshlint.engine.registry import builtin_rules

from conftest import REPO


def test_every_rule_folder_is_listed_as_a_package():
    packages = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {
        "meshlint.rules"
        + ("." + ".".join(p.relative_to(REPO / "rules").parts) if p != REPO / "rules" else "")
        for p in [
            REPO / "rules",
            *(d for d in (REPO / "rules").rglob("*") if d.is_dir() and d.name != "__pycache__"),
        ]
    }
    assert folders <= packages, sorted(folders - packages)


def test_rules_are_discovered_without_a_registry():
    assert {"ML104", "ML201", "ML000"} <= {r.id for r in builtin_rules()}
