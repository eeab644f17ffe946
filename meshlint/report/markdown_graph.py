"""The job summary's picture: the part of the mesh graph around error and warning findings,
as a Mermaid chart (GitHub renders it in Markdown)."""

from __future__ import annotations

from meshlint.engine.finding import Finding, Severity

MAX_NODES = 60


def mermaid_section(result, findings: list[Finding]) -> list[str]:
    """Markdown lines with a Mermaid chart of the flagged nodes and their neighbours, or
    nothing when there is nothing to draw (or too much to read)."""
    if not any(f.severity >= Severity.WARNING and not f.suppressed_by for f in findings):
        return []
    from meshlint.graphview import build_view
    from meshlint.graphview.filters import subview
    from meshlint.graphview.mermaid import render_mermaid

    view = build_view(result.mesh, [f for f in findings if not f.suppressed_by])
    flagged = {
        node_id
        for node_id, node in view.nodes.items()
        if any(f.severity >= Severity.WARNING for f in node.findings)
    }
    flagged |= {
        end
        for edge in view.edges
        if any(f.severity >= Severity.WARNING for f in edge.findings)
        for end in (edge.source, edge.target)
    }
    keep = set(flagged)
    for edge in view.edges:
        if edge.source in flagged or edge.target in flagged:
            keep |= {edge.source, edge.target}
    if not flagged or len(keep) > MAX_NODES:
        return []
    chart = render_mermaid(subview(view, keep)).rstrip("\n")
    return ["", "#### Where the problems are", "", "```mermaid", chart, "```"]
