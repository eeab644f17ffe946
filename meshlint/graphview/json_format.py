"""The picture as JSON: nodes, edges, and the findings placed on them."""

from __future__ import annotations

import json

from meshlint.engine.finding import Finding, Severity
from meshlint.fieldpath import render
from meshlint.graphview.view import Edge, Node, View

VERSION = 1


def finding_data(finding: Finding) -> dict:
    resource = finding.resource
    return {
        "id": finding.rule.id,
        "name": finding.rule.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "resource": resource.ref if resource is not None else None,
        "path": render(tuple(finding.path)),
        "location": str(finding.location) if finding.location else None,
    }


def _severity(severity: Severity | None) -> str | None:
    return severity.label if severity is not None else None


def node_data(node: Node) -> dict:
    resource = node.resource
    return {
        "id": node.id,
        "role": node.role,
        "kind": node.kind,
        "namespace": node.namespace,
        "name": node.name,
        "state": node.state,
        "heading": node.heading,
        "text": node.text,
        "hosts": list(node.hosts),
        "file": resource.file if resource is not None and node.state == "defined" else None,
        "severity": _severity(node.severity),
        "findings": [finding_data(f) for f in node.findings],
    }


def edge_data(edge: Edge) -> dict:
    return {
        "source": edge.source,
        "target": edge.target,
        "kind": edge.kind,
        "label": edge.label,
        "declaredBy": edge.owner.ref if edge.owner is not None else None,
        "paths": [render(p) for p in edge.paths],
        "severity": _severity(edge.severity),
        "findings": [finding_data(f) for f in edge.findings],
    }


def render_json(view: View) -> str:
    data = {
        "version": VERSION,
        "nodes": [node_data(n) for n in view.nodes.values()],
        "edges": [edge_data(e) for e in view.edges],
        "findings": [finding_data(f) for f in view.findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
