"""Choosing rules by name: id, slug, Istio/Kiali code, a prefix of an id or code, a glob,
or ``ALL``/``*``. Opt-in rules (policy packs) run only when named explicitly."""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase

from meshlint.engine.rule import Rule

_WILDCARDS = frozenset({"ALL", "*"})
_GLOB_CHARS = frozenset("*?[")
#: Names that prefixes select: letters then digits (ML104, IST0101, KIA1107, ACME001).
_CODE = re.compile(r"[A-Za-z]+\d+")


def _matches(rule: type[Rule], pattern: str) -> bool:
    names = rule.names()
    if pattern in names or pattern.upper() in names:
        return True
    if pattern.upper() in _WILDCARDS:
        return True
    upper = pattern.upper()
    if _GLOB_CHARS & set(pattern):
        return any(fnmatchcase(n.upper(), upper) for n in names)
    return any(n.upper().startswith(upper) for n in names if _CODE.fullmatch(n))


def matches(rule: type[Rule], pattern: str) -> bool:
    """Whether ``pattern`` names ``rule`` (as --select, --ignore and suppressions read it)."""
    return _matches(rule, pattern)


def _names_explicitly(rule: type[Rule], patterns: Iterable[str]) -> bool:
    return any(p.upper() not in _WILDCARDS and _matches(rule, p) for p in patterns)


def select_rules(
    rules: Iterable[type[Rule]],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    enable: Iterable[str] = (),
) -> list[type[Rule]]:
    """Rules named by ``select`` (all when empty) minus those named by ``ignore``.

    Input rules (parse errors and the like) are always kept unless ignored by name.
    Opt-in rules (``opt_in = True``) are kept only when ``select`` or ``enable`` names them
    other than by ``ALL``/``*``; ``enable`` (profiles) adds them without restricting the rest.
    """
    select, ignore, enable = list(select), list(ignore), list(enable)
    chosen = []
    for rule in rules:
        if rule.opt_in:
            picked = _names_explicitly(rule, [*select, *enable])
        else:
            picked = not select or rule.input_rule or any(_matches(rule, p) for p in select)
        if picked and not any(_matches(rule, p) for p in ignore):
            chosen.append(rule)
    return chosen


def unknown_names(rules: Iterable[type[Rule]], names: Iterable[str]) -> list[str]:
    """The names that select no rule at all (likely typos)."""
    rules = list(rules)
    return [n for n in names if not any(_matches(r, n) for r in rules)]
