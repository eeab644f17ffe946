"""Human-readable output: one line per finding, related places indented below it."""

from __future__ import annotations

from meshlint.engine.finding import Finding, Severity
from meshlint.report.summary import visible

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _line(finding: Finding, colour: bool) -> str:
    loc = finding.location
    where = str(loc) if loc else (finding.file or "-")
    severity = finding.severity.label
    rule = finding.rule.id
    if colour:
        where = f"{_BOLD}{where}{_RESET}"
        severity = f"{_COLOURS[finding.severity]}{severity}{_RESET}"
        rule = f"{_DIM}{rule}{_RESET}"
    message = finding.message
    first = next((r for r in finding.related if r.location), None)
    if first is not None and first.location.file != "<assumed>":
        message += f" ({first.location.file}:{first.location.line})"
    text = f"{where}: {severity} {rule} [{finding.rule.name}] {message}"
    if finding.resource is not None:
        text += f" [{finding.resource.ref}]"
    if finding.suppressed_by:
        text += f" (suppressed: {finding.suppressed_by})"
    return text


def render(findings: list[Finding], context) -> str:
    lines = []
    for finding in visible(findings, context):
        lines.append(_line(finding, context.colour))
        for related in finding.related[1:]:
            if related.location and related.location.file != "<assumed>":
                lines.append(f"    {related.location}: {related.message}")
    return "\n".join(lines) + ("\n" if lines else "")
