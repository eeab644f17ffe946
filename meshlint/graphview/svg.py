"""SVG drawing of a laid-out view (used by the HTML page).

Node groups get ids ``n<i>`` and edge groups ``e<j>``, with their centre in ``data-cx`` /
``data-cy`` so the page can bring one into view.
"""

from __future__ import annotations

from html import escape

from meshlint.graphview.layout import Box, Layout
from meshlint.graphview.style import EDGE_COLOUR, SEVERITY_COLOURS, edge_colour, node_colours
from meshlint.graphview.text import shorten, tooltip
from meshlint.graphview.view import Edge, Node, View

MAX_HEADING, MAX_TEXT = 32, 28
CURVE = 60


def _marker(name: str, colour: str) -> str:
    return (
        f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>'
    )


def _markers() -> str:
    items = [_marker("plain", EDGE_COLOUR)]
    items += [_marker(s.label, colours[1]) for s, colours in SEVERITY_COLOURS.items()]
    return "<defs>" + "".join(items) + "</defs>"


def _node(element_id: str, node: Node, box: Box) -> str:
    fill, border = node_colours(node.role, node.severity, node.placeholder)
    severity = node.severity if node.severity in SEVERITY_COLOURS else None
    classes = f"node role-{node.role} state-{node.state}"
    if severity is not None:
        classes += f" sev-{severity.label}"
    dash = ' stroke-dasharray="6 4"' if node.dashed or node.state == "assumed" else ""
    width = 2.5 if severity is not None else 1.2
    parts = [
        f'<g id="{element_id}" class="{classes}" transform="translate({box.x:.0f},{box.y:.0f})" '
        f'data-cx="{box.x + box.width / 2:.0f}" data-cy="{box.middle:.0f}">',
        f"<title>{escape(tooltip(node.description, node.findings))}</title>",
        f'<rect width="{box.width}" height="{box.height}" rx="8" fill="{fill}" '
        f'stroke="{border}" stroke-width="{width}"{dash}/>',
        f'<text class="heading" x="10" y="17">{escape(shorten(node.caption, MAX_HEADING))}</text>',
        f'<text class="name" x="10" y="34">{escape(shorten(node.text, MAX_TEXT))}</text>',
    ]
    if severity is not None:
        parts.append(
            f'<circle cx="{box.width - 2}" cy="2" r="9" fill="{border}"/>'
            f'<text class="badge" x="{box.width - 2}" y="6">{len(node.findings)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _curve(start: Box, end: Box, layout: Layout) -> tuple[str, float, float]:
    """An SVG path from ``start`` to ``end`` and its midpoint. Forward edges leave the
    right side for the left side; edges going back loop over (or under) every box."""
    if end.x > start.x:
        x1, y1, x2, y2 = start.x + start.width, start.middle, end.x, end.middle
        bend = max(CURVE, (x2 - x1) / 2)
        c1x, c1y, c2x, c2y = x1 + bend, y1, x2 - bend, y2
    else:
        x1, x2 = start.x + start.width / 2, end.x + end.width / 2
        if start.middle + end.middle < layout.top + layout.bottom:
            y1, y2, c1y = start.y, end.y, layout.top - CURVE
        else:
            y1, y2 = start.y + start.height, end.y + end.height
            c1y = layout.bottom + CURVE
        c1x, c2x, c2y = x1, x2, c1y
    mid_x = (x1 + 3 * c1x + 3 * c2x + x2) / 8
    mid_y = (y1 + 3 * c1y + 3 * c2y + y2) / 8
    path = f"M{x1:.0f},{y1:.0f} C{c1x:.0f},{c1y:.0f} {c2x:.0f},{c2y:.0f} {x2:.0f},{y2:.0f}"
    return path, mid_x, mid_y


def _edge(element_id: str, edge: Edge, layout: Layout) -> str:
    path, mid_x, mid_y = _curve(layout.boxes[edge.source], layout.boxes[edge.target], layout)
    severity = edge.severity if edge.severity in SEVERITY_COLOURS else None
    colour = edge_colour(severity)
    marker = severity.label if severity is not None else "plain"
    classes = "edge" + (f" sev-{severity.label}" if severity is not None else "")
    dash = ' stroke-dasharray="5 4"' if edge.dashed else ""
    width = 2.5 if severity is not None else 1.3
    what = f"{edge.kind}: {edge.label}" if edge.label else edge.kind
    parts = [
        f'<g id="{element_id}" class="{classes}" data-cx="{mid_x:.0f}" data-cy="{mid_y:.0f}">',
        f"<title>{escape(tooltip(what, edge.findings))}</title>",
        f'<path d="{path}" '
        f'fill="none" stroke="{colour}" stroke-width="{width}"{dash} '
        f'marker-end="url(#arrow-{marker})"/>',
    ]
    if edge.label:
        parts.append(
            f'<text class="label" x="{mid_x:.0f}" y="{mid_y - 4:.0f}" fill="{colour}">'
            f"{escape(edge.label)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def element_ids(view: View) -> tuple[dict[str, str], dict[int, str]]:
    """Element ids of nodes (by node id) and of edges (by ``id()`` of the edge)."""
    nodes = {node_id: f"n{i}" for i, node_id in enumerate(view.nodes)}
    edges = {id(edge): f"e{j}" for j, edge in enumerate(view.edges)}
    return nodes, edges


def render_svg(view: View, layout: Layout) -> str:
    """An ``<svg>`` element (no XML prolog) drawing ``view`` at ``layout``'s positions."""
    node_ids, edge_ids = element_ids(view)
    edges = [_edge(edge_ids[id(e)], e, layout) for e in view.edges]
    nodes = [_node(node_ids[i], n, layout.boxes[i]) for i, n in view.nodes.items()]
    return (
        f'<svg id="graph" data-width="{layout.width:.0f}" data-height="{layout.height:.0f}" '
        'role="img" aria-label="mesh traffic graph">'
        + _markers()
        + '<g id="viewport"><g class="edges">'
        + "".join(edges)
        + '</g><g class="nodes">'
        + "".join(nodes)
        + "</g></g></svg>"
    )
