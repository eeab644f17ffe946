"""The JSON report: a stable contract (``version: 1``) for editors and CI."""

from __future__ import annotations

import json

from meshlint.engine.finding import Finding, Location
from meshlint.fieldpath import render as render_path
from meshlint.model import Resource
from meshlint.report.summary import summary, visible


def _resource(resource: Resource | None) -> dict | None:
    if resource is None:
        return None
    return {
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "namespace": resource.namespace,
        "name": resource.name,
    }


def _location(location: Location | None) -> dict | None:
    if location is None:
        return None
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
    }


def finding_dict(finding: Finding) -> dict:
    eq = finding.rule.equivalents
    out = {
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "severity": finding.severity.label,
        "category": finding.rule.category,
        "message": finding.message,
        "resource": _resource(finding.resource),
        "location": _location(finding.location),
        "field": render_path(finding.path) if finding.path else None,
        "equivalents": {"istio": eq.istio, "kiali": eq.kiali},
        "related": [
            {
                "message": r.message,
                "resource": _resource(r.resource),
                "location": _location(r.location),
            }
            for r in finding.related
        ],
    }
    if finding.suppressed_by:
        out["suppressed"] = finding.suppressed_by
    return out


def render(findings: list[Finding], context) -> str:
    document = {
        "version": 1,
        "findings": [finding_dict(f) for f in visible(findings, context)],
        "summary": summary(context.result, findings),
    }
    return json.dumps(document, indent=2) + "\n"
