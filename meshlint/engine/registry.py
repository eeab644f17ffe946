"""Rule discovery: every Rule subclass in the ``meshlint.rules`` package, plus rules that
other packages register under the ``meshlint.rules`` entry point group."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from meshlint.engine.rule import Rule


def _subclasses(module) -> list[type[Rule]]:
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, Rule)
        and obj is not Rule
        and obj.__module__ == module.__name__
        and "id" in vars(obj)
    ]


@cache
def builtin_rules() -> tuple[type[Rule], ...]:
    """Every built-in rule, sorted by id. Ids and slugs must be unique."""
    package = importlib.import_module("meshlint.rules")
    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(package.__path__, "meshlint.rules."):
        if not info.ispkg:
            found.extend(_subclasses(importlib.import_module(info.name)))
    found.sort(key=lambda r: r.id)
    _check_unique(found)
    return tuple(found)


def _check_unique(rules: list[type[Rule]]) -> None:
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        for name in (rule.id, rule.name):
            if name in seen and seen[name] is not rule:
                raise RuntimeError(f"rule name {name!r} used by {seen[name]} and {rule}")
            seen[name] = rule


def by_name(name: str) -> type[Rule] | None:
    """A rule by id or slug (case-insensitive id)."""
    for rule in builtin_rules():
        if name in (rule.id, rule.name) or name.upper() == rule.id:
            return rule
    return None


def input_rule(slug: str) -> type[Rule]:
    """The input rule the loader reports a problem under."""
    rule = by_name(slug)
    if rule is None or not rule.input_rule:
        raise KeyError(slug)
    return rule
