"""Rule discovery: every Rule subclass in the ``meshlint.rules`` package, plus rules that
other packages register under the ``meshlint.rules`` entry point group.

A run reads the built-in rules from their catalogue and imports a rule's module only when
the rule runs; :func:`discover_builtin_rules` walks the package (for the catalogue's
generator and its test)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from functools import cache
from types import ModuleType

from meshlint.engine.catalog import LazyRule, lazy_rules
from meshlint.engine.rule import CATEGORIES, Rule


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


def discover_builtin_rules() -> tuple[type[Rule], ...]:
    """Every Rule subclass in the ``meshlint.rules`` package, sorted by id. Ids and slugs
    must be unique."""
    import pkgutil  # here: a run reads the catalogue instead

    package = importlib.import_module("meshlint.rules")
    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(package.__path__, "meshlint.rules."):
        if not info.ispkg:
            found.extend(_subclasses(importlib.import_module(info.name)))
    found.sort(key=lambda r: r.id)
    _check_unique(found)
    return tuple(found)


@cache
def builtin_rules() -> tuple[type[Rule], ...]:
    """Every built-in rule class, sorted by id (imports every rule module)."""
    return tuple(rule.load() for rule in lazy_rules())


def _check_unique(rules: list[type[Rule]]) -> None:
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        for name in (rule.id, rule.name):
            if name in seen and seen[name] is not rule:
                raise RuntimeError(f"rule name {name!r} used by {seen[name]} and {rule}")
            seen[name] = rule


def by_name(name: str) -> type[Rule] | None:
    """A built-in rule by id or slug (case-insensitive id)."""
    for rule in lazy_rules():
        if name in (rule.id, rule.name) or name.upper() == rule.id:
            return rule.load()
    return None


def input_rule(slug: str) -> type[Rule]:
    """The input rule the loader reports a problem under."""
    rule = by_name(slug)
    if rule is None or not rule.input_rule:
        raise KeyError(slug)
    return rule


# -- plugins and policy packs --------------------------------------------------------

PLUGIN_GROUP = "meshlint.rules"
_REQUIRED = ("id", "name", "severity", "category")
_SOURCES: dict[type[Rule], str] = {}


def _rules_in(obj: object) -> list[type[Rule]]:
    """The rules an entry point names: a Rule subclass, a module, or a list of rules."""
    if isinstance(obj, type) and issubclass(obj, Rule):
        return [obj]
    if isinstance(obj, ModuleType):
        return [
            r
            for r in vars(obj).values()
            if isinstance(r, type) and issubclass(r, Rule) and r is not Rule and "id" in vars(r)
        ]
    if isinstance(obj, list | tuple):
        return [r for r in obj if isinstance(r, type) and issubclass(r, Rule)]
    return []


def _plugin_problem(rule: type[Rule], taken: dict[str, type[Rule]]) -> str | None:
    missing = [a for a in _REQUIRED if not hasattr(rule, a)]
    if missing:
        return f"rule {rule.__qualname__} lacks {', '.join(missing)}"
    if rule.category not in CATEGORIES:
        return f"rule {rule.id} has unknown category {rule.category!r}"
    clash = next((n for n in (rule.id, rule.name) if n in taken), None)
    if clash is not None:
        return f"rule {rule.id}: the name {clash!r} is already used by {taken[clash].id}"
    return None


def _may_have_plugins() -> bool:
    """Whether an installed distribution may declare ``meshlint.rules`` entry points: a
    scan of the metadata folders on ``sys.path``, far cheaper than importing
    importlib.metadata (anything other than a plain folder counts as maybe)."""
    marker = f"[{PLUGIN_GROUP}]"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                points = os.path.join(entry or ".", name, "entry_points.txt")
                try:
                    with open(points, encoding="utf-8", errors="replace") as file:
                        if marker in file.read():
                            return True
                except OSError:
                    continue
            elif name.endswith(".egg-link"):
                return True
    return False


@cache
def _plugins() -> tuple[tuple[type[Rule], ...], tuple[str, ...]]:
    if not _may_have_plugins():
        return (), ()
    from importlib.metadata import entry_points

    taken = {n: r for r in lazy_rules() for n in (r.id, r.name)}
    rules: list[type[Rule]] = []
    problems: list[str] = []
    for entry in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        label = f"plugin {entry.name!r} ({entry.value})"
        try:
            found = _rules_in(entry.load())
        except Exception as error:
            problems.append(f"{label} could not be loaded: {type(error).__name__}: {error}")
            continue
        if not found:
            problems.append(f"{label} provides no rules")
        for rule in found:
            problem = _plugin_problem(rule, taken)
            if problem:
                problems.append(f"{label}: {problem}; skipped")
                continue
            taken.update({rule.id: rule, rule.name: rule})
            dist = entry.dist.name if entry.dist is not None else entry.name
            _SOURCES[rule] = f"plugin {dist}"
            rules.append(rule)
    return tuple(rules), tuple(problems)


def plugin_rules() -> tuple[type[Rule], ...]:
    """Rules other packages register under the ``meshlint.rules`` entry point group."""
    return _plugins()[0]


def plugin_problems() -> tuple[str, ...]:
    """Why plugins could not be loaded (an import error is reported, never fatal)."""
    return _plugins()[1]


def known_rules(
    extra: Iterable[type[Rule]] = (), packs: Iterable[type[Rule]] = ()
) -> list[type[Rule] | LazyRule]:
    """Every rule a run may use: built-ins (from the catalogue, not yet imported),
    plugins, ``packs`` (the shipped policy packs, which the caller loads) and ``extra``
    (the config's policies)."""
    return [*lazy_rules(), *plugin_rules(), *packs, *extra]


def rule_source(rule: type[Rule]) -> str:
    """Where a rule comes from: builtin, plugin DIST, pack NAME, or policy FILE."""
    return _SOURCES.get(rule) or getattr(rule, "source", None) or "builtin"
