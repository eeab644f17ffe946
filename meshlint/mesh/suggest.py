"""Did-you-mean suggestions for names that do not resolve."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The single best close match of ``name`` among ``candidates``, if any is close."""
    pool = sorted({c for c in candidates if c and c != name})
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def hint(name: str, candidates: Iterable[str]) -> str:
    """``'; did you mean "x"?'`` or ``''``."""
    match = closest(name, candidates)
    return f'; did you mean "{match}"?' if match else ""
