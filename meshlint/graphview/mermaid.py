"""Mermaid flowcharts, which GitHub renders in Markdown (```` ```mermaid ```` blocks)."""

from __future__ import annotations

from meshlint.graphview.style import SEVERITY_COLOURS, edge_colour, node_colours
from meshlint.graphview.text import shorten
from meshlint.graphview.view import Node, View

#: Opening and closing brackets of each role's shape.
SHAPES = {
    "mesh": ("((", "))"),
    "gateway": ("{{", "}}"),
    "route": ("[", "]"),
    "host": ("([", "])"),
    "subset": ("(", ")"),
    "workload": ("[[", "]]"),
    "policy": (">", "]"),
}
MAX_TEXT = 40
#: Mermaid's default limit on edges; GitHub refuses larger charts.
MAX_EDGES = 500


def label(*lines: str) -> str:
    """A quoted Mermaid label of one or more lines, with markup characters escaped."""
    escaped = []
    for text in lines:
        for char, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
            text = text.replace(char, entity)
        escaped.append(text)
    return '"' + "<br/>".join(escaped) + '"'


def _class(node: Node) -> tuple[str, str]:
    """(class name, classDef body) of a node's look."""
    severity = node.severity if node.severity in SEVERITY_COLOURS else None
    fill, border = node_colours(node.role, severity, node.placeholder)
    name = node.role + (f"_{severity.label}" if severity else "")
    body = f"fill:{fill},stroke:{border},color:#212121"
    if severity:
        body += ",stroke-width:2px"
    if node.dashed or node.state == "assumed":
        name += "_dashed"
        body += ",stroke-dasharray: 5 5"
    return name, body


def render_mermaid(view: View) -> str:
    numbers = {node_id: i for i, node_id in enumerate(view.nodes)}
    lines = ["flowchart LR"]
    classes: dict[str, tuple[str, list[str]]] = {}
    for node_id, node in view.nodes.items():
        opening, closing = SHAPES[node.role]
        text = label(node.caption, shorten(node.text, MAX_TEXT))
        lines.append(f"  n{numbers[node_id]}{opening}{text}{closing}")
        name, body = _class(node)
        classes.setdefault(name, (body, []))[1].append(f"n{numbers[node_id]}")
    styles: dict[str, list[str]] = {}
    for index, edge in enumerate(view.edges):
        arrow = "-.->" if edge.dashed else "-->"
        text = f"|{label(edge.label)}|" if edge.label else ""
        lines.append(f"  n{numbers[edge.source]} {arrow}{text} n{numbers[edge.target]}")
        if edge.findings and edge_colour(edge.severity) != edge_colour(None):
            colour = edge_colour(edge.severity)
            styles.setdefault(f"stroke:{colour},stroke-width:2px,color:{colour}", []).append(
                str(index)
            )
    for name, (body, members) in classes.items():
        lines.append(f"  classDef {name} {body}")
        lines.append(f"  class {','.join(members)} {name}")
    for body, indexes in styles.items():
        lines.append(f"  linkStyle {','.join(indexes)} {body}")
    return "\n".join(lines) + "\n"
