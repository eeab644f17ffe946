"""A Markdown summary: counts per severity and the most severe findings as a table.

Written for GitHub's job summary (``$GITHUB_STEP_SUMMARY``) and pull-request comments.
Text from manifests is escaped so it cannot break the table or inject markup.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from meshlint.engine.finding import Finding, counts
from meshlint.report import rule_help
from meshlint.report.markdown_graph import mermaid_section
from meshlint.report.paths import relative
from meshlint.report.summary import describe, visible, worst_first

TOP = 20
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    text = _SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return " ".join(text.split())


def _where(finding: Finding, context) -> str:
    loc = finding.location
    file = loc.file if loc else finding.file
    if not file:
        return ""
    rel = relative(file, context.root)
    label = f"{rel or file}:{loc.line}:{loc.column}" if loc else rel or file
    label = cell(label)
    if rel is None or context.blob_url is None:
        return label
    anchor = f"#L{loc.line}" if loc else ""
    return f"[{label}]({context.blob_url}/{quote(rel)}{anchor})"


def _row(finding: Finding, context) -> str:
    rule = finding.rule
    message = finding.message
    if finding.resource is not None:
        message += f" [{finding.resource.ref}]"
    if finding.suppressed_by:
        message += f" (suppressed: {finding.suppressed_by})"
    cells = [
        finding.severity.label,
        f"[{rule.id}]({rule_help.help_uri(rule)}) {cell(rule.name)}",
        _where(finding, context),
        cell(message),
    ]
    return "| " + " | ".join(cells) + " |"


def render(findings: list[Finding], context) -> str:
    result = context.result
    tally = counts(findings)
    heading = describe(findings) if sum(tally.values()) else "no findings"
    lines = [f"### meshlint: {heading}", ""]
    lines += ["| Severity | Findings |", "|---|---:|"]
    lines += [f"| {label} | {n} |" for label, n in tally.items()]
    facts = f"{len(result.files)} files, {result.resources} resources linted"
    suppressed = sum(1 for f in findings if f.suppressed_by)
    if suppressed:
        facts += f"; {suppressed} suppressed"
    if result.unparsed:
        facts += f"; {len(result.unparsed)} could not be parsed"
    lines += ["", facts + "."]
    shown = worst_first(visible(findings, context))
    if shown:
        lines += ["", "| Severity | Rule | Location | Message |", "|---|---|---|---|"]
        lines += [_row(f, context) for f in shown[:TOP]]
        if len(shown) > TOP:
            lines += ["", f"Showing the {TOP} most severe of {len(shown)} findings."]
    if getattr(result, "mesh", None) is not None:
        lines += mermaid_section(result, findings)
    return "\n".join(lines) + "\n"
