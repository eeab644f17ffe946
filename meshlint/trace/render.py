"""A trace as text (numbered steps with file:line), JSON, or a Mermaid picture of the
path drawn on the mesh picture of ``meshlint graph``."""

from __future__ import annotations

import json

from meshlint.graphview import build_view
from meshlint.graphview.filters import subview
from meshlint.graphview.mermaid import label, render_mermaid
from meshlint.graphview.view import Edge, View
from meshlint.mesh.index import Mesh
from meshlint.model import Resource
from meshlint.trace.result import ALLOW, DENY, Trace

FORMATS = ("text", "json", "mermaid")
PATH_COLOUR = "#1e88e5"
DECISION_COLOURS = {ALLOW: ("#e8f5e9", "#43a047"), DENY: ("#fde2e1", "#d93025")}
UNKNOWN_COLOURS = ("#fafafa", "#9e9e9e")


def render_text(result: Trace) -> str:
    lines = [f"request: {result.request}", f"from:    {result.source}"]
    width = max((len(s.kind) for s in result.steps), default=0)
    for number, step in enumerate(result.steps, 1):
        mark = "?" if step.unknown else " "
        where = step.location()
        line = f"{number:>3}.{mark}{step.kind:<{width}}  {step.text}"
        lines.append(line + (f"  [{where}]" if where else ""))
    outcome = f" ({result.outcome})" if result.outcome else ""
    lines.append(f"decision: {result.decision}{outcome}: {result.reason}")
    return "\n".join(lines) + "\n"


def as_dict(result: Trace) -> dict:
    arrivals = [a.as_dict() for a in result.arrivals]
    main = max(arrivals, key=lambda a: a["weight"], default=None)
    return {
        "decision": result.decision,
        "reason": result.reason,
        "outcome": result.outcome,
        "request": result.request,
        "source": result.source,
        "destination": None
        if main is None
        else {k: main[k] for k in ("host", "port", "subset", "workloads")},
        "destinations": arrivals,
        "route": None if result.route is None else result.route.as_dict(),
        "decided_by": [p.qualified_name for p in result.decided_by],
        "steps": [
            {
                "kind": s.kind,
                "text": s.text,
                "resource": s.resource.ref if s.resource is not None else None,
                "location": s.location(),
                "unknown": s.unknown,
            }
            for s in result.steps
        ],
    }


def render_json(result: Trace) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"


def render_mermaid_path(result: Trace, mesh: Mesh) -> str:
    """The part of the mesh picture the request crosses, its arrows in blue, ending in
    the decision."""
    view = build_view(mesh)
    ids = {n.resource.key: i for i, n in view.nodes.items() if n.resource is not None}
    keep: list[str] = []

    def add(resource: Resource | None) -> None:
        if resource is not None and resource.key in ids and ids[resource.key] not in keep:
            keep.append(ids[resource.key])

    for resource in result.clients:
        add(resource)
    add(result.entry)
    if result.entry is None and "mesh" in view.nodes and result.virtual_services:
        keep.append("mesh")
    for vs in result.virtual_services:
        add(vs)
    ends: list[str] = []
    for arrival in result.arrivals:
        subset_id = None
        if arrival.rule is not None and arrival.subset:
            subset_id = f"Subset {arrival.rule.qualified_name}/{arrival.subset}"
        if subset_id in view.nodes:
            keep.append(subset_id)
        else:
            for resource in arrival.host_resources:
                add(resource)
        for workload in arrival.workloads:
            add(workload)
            ends.append(ids.get(workload.key, ""))
        for policy in arrival.decided_by:
            add(policy)
    picture = subview(view, set(keep))
    if result.entry is None and "mesh" in picture.nodes:
        for resource in result.clients:
            if resource.key in ids and ids[resource.key] in picture.nodes:
                picture.connect(Edge(ids[resource.key], "mesh", "sends"))
    return _with_decision(picture, result, [e for e in ends if e in picture.nodes])


def _with_decision(view: View, result: Trace, ends: list[str]) -> str:
    text = render_mermaid(view).rstrip("\n")
    numbers = {node_id: i for i, node_id in enumerate(view.nodes)}
    head, _, body = text.partition("\n")
    lines = [head, f"  %% meshlint trace: {result.request}", body]
    caption = f"{result.decision}" + (f" · {result.outcome}" if result.outcome else "")
    lines.append(f"  decision{{{{{label(caption, result.reason[:80])}}}}}")
    sources = ends or ([list(view.nodes)[-1]] if view.nodes else [])
    first_new = len(view.edges)
    for end in sources:
        lines.append(f"  n{numbers[end]} --> decision")
    fill, border = DECISION_COLOURS.get(result.decision, UNKNOWN_COLOURS)
    lines.append(f"  classDef decision fill:{fill},stroke:{border},color:#212121")
    lines.append("  class decision decision")
    path = [str(i) for i, e in enumerate(view.edges) if e.kind != "applies"]
    path += [str(first_new + i) for i in range(len(sources))]
    if path:
        lines.append(f"  linkStyle {','.join(path)} stroke:{PATH_COLOUR},stroke-width:3px")
    return "\n".join(lines) + "\n"
