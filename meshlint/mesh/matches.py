"""Route matches that can never win: duplicated, covered by an earlier match, or after a
catch-all rule.

A VirtualService's rules are tried in order and the first rule with a matching ``match``
entry takes the request, so a match that an earlier one covers is never the one that
matches, and a rule whose every match is taken earlier is never used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

#: HTTPMatchRequest fields holding one StringMatch (exact/prefix/regex).
_STRING_MATCHES = frozenset({"uri", "method", "authority", "scheme"})
#: Fields holding a map of StringMatch.
_STRING_MATCH_MAPS = frozenset({"headers", "queryParams"})
#: List fields a match satisfies when the request's value is any of the entries.
_ANY_OF = frozenset({"sniHosts", "destinationSubnets", "gateways"})
#: Fields that name or label a match without changing what it matches.
_NOT_MATCHING = frozenset({"name", "statPrefix"})


@dataclass(frozen=True, slots=True)
class UnreachableRule:
    """A rule no request can reach."""

    rule: int
    reason: str


@dataclass(frozen=True, slots=True)
class IneffectiveMatch:
    """A match entry that an earlier one always takes first.

    ``duplicate``: the earlier match is identical (names aside). ``shadows_rule``: together
    with its siblings it makes the whole rule unreachable, without every sibling being an
    identical duplicate.
    """

    rule: int
    match: int
    by_rule: int
    by_match: int
    duplicate: bool
    shadows_rule: bool = False


def rule_label(rules: list, index: int) -> str:
    """``"name"`` of a named HTTP rule, else ``#index``."""
    rule = rules[index]
    name = rule.get("name") if isinstance(rule, dict) else None
    return f'"{name}"' if isinstance(name, str) and name else f"#{index}"


def match_label(match: object, index: int) -> str:
    name = match.get("name") if isinstance(match, dict) else None
    return f'"{name}"' if isinstance(name, str) and name else f"#{index}"


def analyze(rules: list, section: str) -> tuple[list[UnreachableRule], list[IneffectiveMatch]]:
    """Unreachable rules and ineffective matches of one route section (http, tcp or tls)."""
    unreachable: list[UnreachableRule] = []
    ineffective: list[IneffectiveMatch] = []
    seen: dict[str, tuple[int, int]] = {}
    earlier: list[tuple[int, int, dict]] = []
    catch_all: int | None = None
    for r, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        matches = [(m, match) for m, match in enumerate(_matches(rule)) if isinstance(match, dict)]
        if catch_all is not None:
            reason = (
                "only the last rule can have no match"
                if not matches
                else f"rule {rule_label(rules, catch_all)} before it has no match and takes "
                "every request"
            )
            unreachable.append(UnreachableRule(r, reason))
            continue
        if not matches:
            catch_all = r
            continue
        found = list(_ineffective(r, matches, section, seen, earlier))
        ineffective.extend(found)
        if found and all(f.duplicate for f in found) and len(found) == len(matches):
            unreachable.append(UnreachableRule(r, "all matches used by prior rules"))
        elif len(found) == len(matches) and all(f.by_rule < r for f in found):
            ineffective[-len(found) :] = [_shadowing(f) for f in found]
    return unreachable, ineffective


def _matches(rule: dict) -> list:
    matches = rule.get("match")
    return matches if isinstance(matches, list) else []


def _shadowing(found: IneffectiveMatch) -> IneffectiveMatch:
    return IneffectiveMatch(
        found.rule, found.match, found.by_rule, found.by_match, found.duplicate, True
    )


def _ineffective(
    r: int,
    matches: list[tuple[int, dict]],
    section: str,
    seen: dict[str, tuple[int, int]],
    earlier: list[tuple[int, int, dict]],
) -> Iterator[IneffectiveMatch]:
    for m, match in matches:
        key = _identity(match)
        if key in seen:
            yield IneffectiveMatch(r, m, *seen[key], duplicate=True)
            continue
        seen[key] = (r, m)
        cover = next(((r0, m0) for r0, m0, other in earlier if covers(other, match, section)), None)
        earlier.append((r, m, match))
        if cover is not None:
            yield IneffectiveMatch(r, m, *cover, duplicate=False)


def _identity(match: dict) -> str:
    return json.dumps({k: v for k, v in match.items() if k != "name"}, sort_keys=True, default=str)


def covers(first: dict, later: dict, section: str) -> bool:
    """Whether every request ``later`` matches is also matched by ``first``.

    For HTTP only later matches on a URI prefix are decided (as Istio does): exact and
    regex URIs, and matches without a URI, are never reported as covered.
    """
    if section == "http" and not _has_prefix_uri(later):
        return False
    for key, value in first.items():
        if key in _NOT_MATCHING:
            continue
        if key not in later or not _field_covers(key, value, later[key]):
            return False
    return True


def _has_prefix_uri(match: dict) -> bool:
    uri = match.get("uri")
    return isinstance(uri, dict) and isinstance(uri.get("prefix"), str)


def _field_covers(key: str, first: object, later: object) -> bool:
    if key in _STRING_MATCHES:
        return string_match_covers(first, later)
    if key in _STRING_MATCH_MAPS:
        if not isinstance(first, dict) or not isinstance(later, dict):
            return first == later
        return all(k in later and string_match_covers(v, later[k]) for k, v in first.items())
    if key in _ANY_OF and isinstance(first, list) and isinstance(later, list):
        return set(map(str, later)) <= set(map(str, first))
    if key == "sourceLabels" and isinstance(first, dict) and isinstance(later, dict):
        return all(later.get(k) == v for k, v in first.items())
    return first == later


def string_match_covers(first: object, later: object) -> bool:
    """Whether every value matching StringMatch ``later`` also matches ``first``."""
    if not isinstance(first, dict) or not isinstance(later, dict):
        return first == later
    if "exact" in first:
        return later.get("exact") == first["exact"] and "exact" in later
    if "prefix" in first and isinstance(first["prefix"], str):
        prefix = first["prefix"]
        value = later.get("exact", later.get("prefix"))
        return (
            isinstance(value, str)
            and ("exact" in later or "prefix" in later)
            and (value.startswith(prefix))
        )
    return first == later
