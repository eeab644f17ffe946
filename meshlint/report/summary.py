"""Counts and filters shared by every report format.

Reporters receive every finding, suppressed ones included; each format decides whether
to show them. Counts are of unsuppressed findings only.
"""

from __future__ import annotations

from collections import Counter

from meshlint.engine.finding import Finding, active, counts


def visible(findings: list[Finding], context) -> list[Finding]:
    """What a human-facing format shows: suppressed findings only with ``show_suppressed``."""
    return findings if getattr(context, "show_suppressed", False) else active(findings)


def worst_first(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then in file order."""
    return sorted(findings, key=lambda f: (-f.severity, f.sort_key))


def describe(findings: list[Finding]) -> str:
    """``1 error, 0 warnings, 2 info``."""
    return ", ".join(
        f"{n} {label}{'s' if n != 1 and label != 'info' else ''}"
        for label, n in counts(findings).items()
    )


MAX_REASONS = 3


def unchecked_note(result) -> str:
    """What could not be checked and how to check it, once for the whole run:
    ``23 references could not be checked: no Services of namespace default among the
    inputs (lint them together, add --context, or --assume-complete)``; '' when none."""
    unchecked = getattr(result, "unchecked", [])
    if not unchecked:
        return ""
    reasons = Counter(f.unchecked for f in unchecked).most_common()
    named = "; ".join(
        reason if len(reasons) == 1 else f"{reason} ({n})" for reason, n in reasons[:MAX_REASONS]
    )
    if len(reasons) > MAX_REASONS:
        named += f"; {len(reasons) - MAX_REASONS} more reasons"
    n = len(unchecked)
    return (
        f"{n} reference{'s' if n != 1 else ''} could not be checked: {named} "
        "(lint them together, add --context, or --assume-complete; --report-unknown lists them)"
    )


def summary(result, findings: list[Finding]) -> dict:
    return {
        **counts(findings),
        "files": len(result.files),
        "resources": result.resources,
        "unparsed_files": len(result.unparsed),
        "suppressed": sum(1 for f in findings if f.suppressed_by),
        "unchecked": len(getattr(result, "unchecked", [])),
    }
