"""Counts and filters shared by every report format.

Reporters receive every finding, suppressed ones included; each format decides whether
to show them. Counts are of unsuppressed findings only.
"""

from __future__ import annotations

from collections import Counter

from meshlint.engine.finding import Finding, Severity, active, counts


def visible(findings: list[Finding], context) -> list[Finding]:
    """What a human-facing format shows: suppressed findings only with ``show_suppressed``."""
    return findings if getattr(context, "show_suppressed", False) else active(findings)


def shown_in_text(findings: list[Finding], context) -> list[Finding]:
    """What the text format prints: no info unless ``show_info``, and with ``quiet`` only
    findings at or above the failure threshold."""
    shown = visible(findings, context)
    if not getattr(context, "show_info", True):
        shown = [f for f in shown if f.severity > Severity.INFO]
    if getattr(context, "quiet", False):
        threshold = getattr(context, "threshold", "warning")
        limit = None if threshold == "none" else Severity.parse(threshold)
        shown = [f for f in shown if limit is not None and f.severity >= limit]
    return shown


SAFE, UNSAFE = "safe", "unsafe"


def fix_kind(finding: Finding) -> str | None:
    """``safe`` when ``meshlint fix`` would fix the finding, ``unsafe`` when only
    ``meshlint fix --unsafe`` would, None when it would not (no fix, suppressed, or the
    finding is in input not read from a file as it stands)."""
    from meshlint.loader.documents import is_kustomization

    if not finding.fixes or finding.suppressed_by or finding.location is None:
        return None
    file = finding.location.file
    if file == "-" or file.startswith("<") or is_kustomization(file):
        return None
    return SAFE if any(fix.safe for fix in finding.fixes) else UNSAFE


def fixable(finding: Finding) -> bool:
    """Whether ``meshlint fix`` (without ``--unsafe``) fixes the finding."""
    return fix_kind(finding) == SAFE


def fixable_note(findings: list[Finding]) -> str:
    """``3 fixable with `meshlint fix` (1 more with `meshlint fix --unsafe`)``; ''."""
    kinds = Counter(fix_kind(f) for f in findings)
    safe, unsafe = kinds.get(SAFE, 0), kinds.get(UNSAFE, 0)
    if not safe and not unsafe:
        return ""
    if not safe:
        return f"{unsafe} fixable with `meshlint fix --unsafe`"
    note = f"{safe} fixable with `meshlint fix`"
    return note + (f" ({unsafe} more with `meshlint fix --unsafe`)" if unsafe else "")


def worst_first(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then in file order."""
    return sorted(findings, key=lambda f: (-f.severity, f.sort_key))


def plural(n: int, noun: str) -> str:
    """``1 resource``, ``2 resources``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
