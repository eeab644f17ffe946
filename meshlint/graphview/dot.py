"""Graphviz DOT: ``meshlint graph --format dot | dot -Tsvg > mesh.svg``."""

from __future__ import annotations

from meshlint.graphview.style import edge_colour, node_colours
from meshlint.graphview.text import shorten, tooltip
from meshlint.graphview.view import Edge, Node, View

SHAPES = {
    "mesh": "ellipse",
    "gateway": "hexagon",
    "route": "box",
    "host": "box",
    "subset": "box",
    "workload": "box3d",
    "policy": "note",
}
ROUNDED = {"host", "subset"}
MAX_TEXT = 40


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attributes(pairs: dict[str, str]) -> str:
    return ", ".join(f"{k}={quote(v)}" for k, v in pairs.items())


def _node(number: int, node: Node) -> str:
    fill, border = node_colours(node.role, node.severity, node.placeholder)
    style = ["filled"]
    if node.role in ROUNDED:
        style.append("rounded")
    if node.dashed or node.state == "assumed":
        style.append("dashed")
    attributes = {
        "label": f"{node.caption}\n{shorten(node.text, MAX_TEXT)}",
        "shape": SHAPES[node.role],
        "style": ",".join(style),
        "fillcolor": fill,
        "color": border,
        "tooltip": tooltip(node.description, node.findings),
    }
    if node.severity is not None and node.severity.label != "info":
        attributes["penwidth"] = "2"
    return f"  n{number} [{_attributes(attributes)}];"


def _edge(numbers: dict[str, int], edge: Edge) -> str:
    colour = edge_colour(edge.severity)
    attributes = {"color": colour, "fontcolor": colour}
    if edge.label:
        attributes["label"] = edge.label
    if edge.dashed:
        attributes["style"] = "dashed"
    if colour != edge_colour(None):
        attributes["penwidth"] = "2"
    if edge.findings:
        attributes["tooltip"] = tooltip(edge.kind, edge.findings)
    return f"  n{numbers[edge.source]} -> n{numbers[edge.target]} [{_attributes(attributes)}];"


def render_dot(view: View) -> str:
    numbers = {node_id: i for i, node_id in enumerate(view.nodes)}
    lines = [
        "digraph mesh {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", nodesep=0.25, ranksep=0.9];',
        '  node [fontname="Helvetica", fontsize=10, margin="0.15,0.06"];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    lines += [_node(numbers[node_id], node) for node_id, node in view.nodes.items()]
    lines += [_edge(numbers, edge) for edge in view.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
