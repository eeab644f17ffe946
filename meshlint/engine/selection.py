"""Choosing rules by name: id, slug, Istio/Kiali code, or a prefix of an id or code."""

from __future__ import annotations

from collections.abc import Iterable

from meshlint.engine.rule import Rule


def _matches(rule: type[Rule], pattern: str) -> bool:
    names = rule.names()
    if pattern in names or pattern.upper() in names:
        return True
    if pattern.upper() == "ALL":
        return True
    upper = pattern.upper()
    return any(n.upper().startswith(upper) for n in names if n[:2].isalpha() and n[2:3].isdigit())


def select_rules(
    rules: Iterable[type[Rule]], select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[type[Rule]]:
    """Rules named by ``select`` (all when empty) minus those named by ``ignore``.

    Input rules (parse errors and the like) are always kept unless ignored by name.
    """
    select, ignore = list(select), list(ignore)
    chosen = []
    for rule in rules:
        picked = not select or rule.input_rule or any(_matches(rule, p) for p in select)
        if picked and not any(_matches(rule, p) for p in ignore):
            chosen.append(rule)
    return chosen


def unknown_names(rules: Iterable[type[Rule]], names: Iterable[str]) -> list[str]:
    """The names that select no rule at all (likely typos)."""
    rules = list(rules)
    return [n for n in names if not any(_matches(r, n) for r in rules)]
