"""The built-in rules' catalogue (``rules/catalog.json``): each rule's names and the
kinds it reads, so a run selects rules and skips those whose kinds are absent without
importing their modules, and the same for the rules of the shipped policy packs (compiled
only when one of them runs). ``tools/gen_rule_catalog.py`` writes it; a test keeps it
current."""

from __future__ import annotations

import importlib
import json
from functools import cache
from pathlib import Path

from meshlint.engine.rule import Rule
from meshlint.package_data import package_folder


def catalog_path() -> Path:
    """The catalogue of the installed rules package (the checkout's ``rules/`` folder)."""
    return package_folder("meshlint.rules") / "catalog.json"


class LazyRule:
    """A built-in rule known by its catalogue entry: it selects and filters like the rule
    class, and imports the rule's module on the first use of anything else."""

    __slots__ = (
        "_names",
        "_where",
        "id",
        "input_rule",
        "kinds",
        "name",
        "opt_in",
        "pack",
        "targets",
    )

    def __init__(self, entry: dict) -> None:
        self.id: str = entry["id"]
        self.name: str = entry["name"]
        self.kinds: tuple[str, ...] = tuple(entry["kinds"])
        self.targets: tuple[str, ...] = tuple(entry["targets"])
        self.opt_in: bool = entry["opt_in"]
        self.input_rule: bool = entry["input_rule"]
        self._names: frozenset[str] = frozenset(entry["names"])
        self._where: str = entry.get("class", "")
        #: The policy pack of a pack's rule (None for a rule class of ``meshlint.rules``).
        self.pack: str | None = entry.get("pack")

    def names(self) -> set[str]:
        return set(self._names)

    def checked_kinds(self) -> tuple[str, ...]:
        return self.targets or self.kinds

    @property
    def module(self) -> str:
        """The module that defines the rule."""
        return self._where.partition(":")[0]

    def load(self) -> type[Rule]:
        """The rule class (imports its module)."""
        return getattr(importlib.import_module(self.module), self._where.partition(":")[2])

    def __call__(self, *args, **kwargs) -> Rule:
        return self.load()(*args, **kwargs)

    def __getattr__(self, attribute: str):
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<LazyRule {self.id} {self.name}>"


def entry_of(rule: type[Rule]) -> dict:
    """A rule's catalogue entry (a pack's rule is found by its pack instead of its class)."""
    pack = getattr(rule, "pack", None)
    return {
        "id": rule.id,
        "name": rule.name,
        "names": sorted(rule.names()),
        "kinds": list(rule.kinds),
        "targets": list(rule.targets),
        "opt_in": rule.opt_in,
        "input_rule": rule.input_rule,
        **({"pack": pack} if pack else {"class": f"{rule.__module__}:{rule.__qualname__}"}),
    }


@cache
def _catalog() -> dict:
    return json.loads(catalog_path().read_text(encoding="utf-8"))


def catalog_entries(section: str) -> list[dict]:
    """The entries of one section of the catalogue: ``rules`` or ``packs``."""
    return _catalog()[section]


@cache
def lazy_rules() -> tuple[LazyRule, ...]:
    """Every built-in rule of the catalogue, by id."""
    return tuple(LazyRule(entry) for entry in catalog_entries("rules"))


def reads_any(rule, linted_kinds: set[str]) -> bool:
    """Whether a rule could report anything: it declares no kinds (it reads every kind,
    whatever it reports on), or one of the kinds it reads is among the linted resources
    (findings are only kept on those)."""
    return not rule.kinds or not linted_kinds.isdisjoint((*rule.kinds, *rule.targets))
