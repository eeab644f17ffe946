"""Findings as LSP diagnostics, and fixes as text edits."""

from __future__ import annotations

import json

from lsprotocol import types

from meshlint.engine.finding import Finding, Location, Severity
from meshlint.engine.fix import Fix
from meshlint.fieldpath import span_of

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


def scalar_text(value: object) -> str:
    """A YAML scalar for an inserted value (JSON quoting is valid YAML)."""
    if isinstance(value, str) and value and value.replace("-", "").replace(".", "").isalnum():
        return value
    return json.dumps(value)


def fix_edits(finding: Finding, fix: Fix) -> list[types.TextEdit] | None:
    """Text edits for a fix made only of scalar replacements (others are left to
    ``meshlint fix``); None when the fix cannot be expressed that way."""
    edits = []
    for edit in fix.edits:
        if edit.kind != "replace" or finding.resource is None:
            return None
        span, found = span_of(finding.resource.body, edit.path)
        if span is None or found != tuple(edit.path):
            return None
        edits.append(
            types.TextEdit(
                range=types.Range(
                    start=types.Position(line=span[0], character=span[1]),
                    end=types.Position(line=span[2], character=span[3]),
                ),
                new_text=scalar_text(edit.value),
            )
        )
    return edits
