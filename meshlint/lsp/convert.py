"""Findings as LSP diagnostics, and fixes as text edits."""

from __future__ import annotations

from lsprotocol import types

from meshlint.engine.finding import Finding, Location, Severity
from meshlint.engine.fix import Fix
from meshlint.fixer.apply import finding_edits

DOCS_URL = "https://github.com/meshlint/meshlint/blob/main/docs/rules/{id}.md"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def to_range(location: Location) -> types.Range:
    return types.Range(
        start=types.Position(line=location.line - 1, character=location.column - 1),
        end=types.Position(line=location.end_line - 1, character=location.end_column - 1),
    )


def to_diagnostic(finding: Finding, uri_of) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri_of(r.location.file), range=to_range(r.location)),
            message=r.message,
        )
        for r in finding.related
        if r.location is not None and not r.location.file.startswith("<")
    ]
    return types.Diagnostic(
        range=to_range(finding.location),
        severity=_SEVERITY[finding.severity],
        code=finding.rule.id,
        code_description=types.CodeDescription(href=DOCS_URL.format(id=finding.rule.id)),
        source="meshlint",
        message=f"{finding.message} [{finding.rule.name}]",
        related_information=related or None,
        data={"rule": finding.rule.id, "name": finding.rule.name},
    )


def fix_edits(finding: Finding, fix: Fix, text: str) -> list[types.TextEdit] | None:
    """A fix as text edits on the document's ``text``; None when it cannot be made there
    (the resource changed since it was linted, or it is laid out too unusually)."""
    edits = finding_edits(finding, fix, text)
    if edits is None:
        return None
    return [
        types.TextEdit(
            range=types.Range(
                start=types.Position(line=edit.start[0], character=edit.start[1]),
                end=types.Position(line=edit.end[0], character=edit.end[1]),
            ),
            new_text=edit.text,
        )
        for edit in edits
    ]
