"""Human-readable output: one line per finding (``[*]`` when ``meshlint fix`` can fix it),
the offending line with a caret under the field, and each related place on a line below.

Info findings are counted in the summary, not printed, unless the context asks for them;
``quiet`` keeps only findings at or above the failure threshold; ``statistics`` prints a
count per rule instead of the findings.
"""

from __future__ import annotations

from collections import Counter

from meshlint.engine.finding import Finding, Severity
from meshlint.report.snippet import Sources, caret
from meshlint.report.summary import fixable, shown_in_text

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
FIXABLE_MARK = "[*]"


def _line(finding: Finding, colour: bool) -> str:
    loc = finding.location
    where = str(loc) if loc else (finding.file or "-")
    severity = finding.severity.label
    rule = finding.rule.id
    if colour:
        where = f"{_BOLD}{where}{_RESET}"
        severity = f"{_COLOURS[finding.severity]}{severity}{_RESET}"
        rule = f"{_DIM}{rule}{_RESET}"
    mark = f" {FIXABLE_MARK}" if fixable(finding) else ""
    text = f"{where}: {severity} {rule}{mark} [{finding.rule.name}] {finding.message}"
    if finding.resource is not None:
        text += f" [{finding.resource.ref}]"
    if finding.suppressed_by:
        text += f" (suppressed: {finding.suppressed_by})"
    return text


def _source(finding: Finding, sources: Sources, colour: bool) -> list[str]:
    loc = finding.location
    text = sources.line(loc.file, loc.line) if loc else None
    if loc is None or text is None:
        return []
    gutter = " " * len(str(loc.line))
    marks = caret(loc, text)
    if colour:
        marks = f"{_COLOURS[finding.severity]}{marks}{_RESET}"
    return [f"{loc.line} | {text}", f"{gutter} | {marks}"]


def _related(finding: Finding) -> list[str]:
    return [
        f"    = {related.location}: {related.message}"
        for related in finding.related
        if related.location and related.location.file != "<assumed>"
    ]


def _statistics(findings: list[Finding]) -> list[str]:
    by_rule = Counter(f.rule for f in findings)
    fixes = {f.rule for f in findings if fixable(f)}
    rows = sorted(by_rule.items(), key=lambda item: (-item[1], item[0].id))
    return [
        f"{n:>6}  {rule.id:<8} {FIXABLE_MARK if rule in fixes else '   '} {rule.name}"
        for rule, n in rows
    ]


def render(findings: list[Finding], context) -> str:
    shown = shown_in_text(findings, context)
    if getattr(context, "statistics", False):
        lines = _statistics(shown)
        return "\n".join(lines) + ("\n" if lines else "")
    sources = Sources() if getattr(context, "snippets", False) else None
    lines = []
    for finding in shown:
        lines.append(_line(finding, context.colour))
        if sources is not None:
            lines.extend(_source(finding, sources, context.colour))
        lines.extend(_related(finding))
    return "\n".join(lines) + ("\n" if lines else "")
