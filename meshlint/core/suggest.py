"""Did-you-mean suggestions for names that do not resolve."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def distance(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions, adjacent swaps)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The one candidate clearly closest to ``name``: within a few edits (one for short
    names) and strictly closer than every other candidate; None when ambiguous."""
    limit = 1 if len(name) <= 4 else 2 if len(name) <= 10 else 3
    pool = sorted({c for c in candidates if c and c != name and abs(len(c) - len(name)) <= limit})
    if not pool:
        return None
    scored = sorted((distance(name.lower(), c.lower()), c) for c in pool)
    best, match = scored[0]
    if best > limit or (len(scored) > 1 and scored[1][0] == best):
        return None
    if best > 1 and difflib.SequenceMatcher(None, name, match).ratio() < 0.6:
        return None
    return match


def hint(name: str, candidates: Iterable[str]) -> str:
    """``'; did you mean "x"?'`` or ``''``."""
    match = closest(name, candidates)
    return f'; did you mean "{match}"?' if match else ""
