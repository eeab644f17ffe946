"""Exit codes, the same for every output format."""

from __future__ import annotations

from meshlint.engine.finding import Finding, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNPARSED, EXIT_INTERNAL = 0, 1, 2, 3, 4
THRESHOLDS = ("error", "warning", "info", "none")


def exit_code(findings: list[Finding], unparsed: list[str], threshold: str) -> int:
    """0 clean, 1 findings at or above the threshold, 3 unparsable input only."""
    if threshold != "none":
        limit = Severity.parse(threshold)
        blocking = [f for f in findings if f.severity >= limit and not f.suppressed_by]
        if blocking:
            input_only = all(f.rule.category == "input" for f in blocking)
            return EXIT_UNPARSED if unparsed and input_only else EXIT_FINDINGS
    return EXIT_UNPARSED if unparsed else EXIT_OK
