"""Counts shared by every report format."""

from __future__ import annotations

from collections import Counter

from meshlint.engine.finding import Finding, Severity


def counts(findings: list[Finding]) -> dict[str, int]:
    by = Counter(f.severity for f in findings)
    return {s.label: by.get(s, 0) for s in sorted(Severity, reverse=True)}


def summary(result, findings: list[Finding]) -> dict:
    return {
        **counts(findings),
        "files": len(result.files),
        "resources": result.resources,
        "unparsed_files": len(result.unparsed),
        "suppressed": sum(1 for f in result.findings if f.suppressed_by),
    }
