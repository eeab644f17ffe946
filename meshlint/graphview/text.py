"""Small text helpers shared by the renderers."""

from __future__ import annotations

from meshlint.engine.finding import Finding


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tooltip(what: str, findings: list[Finding]) -> str:
    """``what``, then one line per finding: ``error ML104: message``."""
    return "\n".join([what, *(f"{f.severity.label} {f.rule.id}: {f.message}" for f in findings)])
