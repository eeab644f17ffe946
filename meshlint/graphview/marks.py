"""Placing findings on the picture: on the edge a field declares, else on the node.

A finding names a resource and a field path. When an edge was drawn from a field at or
above that path (a route destination, a gateway reference), the finding marks the edge,
and a missing or unknown node at either end. Otherwise it marks the node of the resource: the
subset whose entry contains the path, or the resource's own node.
"""

from __future__ import annotations

from collections.abc import Iterable

from meshlint.engine.finding import Finding
from meshlint.fieldpath import Path
from meshlint.graphview.view import Edge, Node, View


def _within(path: Path, prefix: Path) -> bool:
    return len(prefix) <= len(path) and path[: len(prefix)] == prefix


def _edges_at(edges: list[Edge], path: Path) -> list[Edge]:
    """The edges declared by the longest field path that contains ``path``."""
    best, out = -1, []
    for edge in edges:
        depth = max((len(p) for p in edge.paths if _within(path, p)), default=-1)
        if depth > best:
            best, out = depth, [edge]
        elif depth == best and depth >= 0:
            out.append(edge)
    return out if best >= 0 else []


def _nodes_at(nodes: list[Node], path: Path) -> list[Node]:
    inner = [n for n in nodes if n.path and _within(path, n.path)]
    return inner or [n for n in nodes if not n.path] or nodes


def mark(view: View, findings: Iterable[Finding]) -> None:
    """Attach every unsuppressed finding to the nodes and edges it concerns."""
    edges_by_owner: dict[tuple, list[Edge]] = {}
    for edge in view.edges:
        if edge.owner is not None:
            edges_by_owner.setdefault(edge.owner.key, []).append(edge)
    nodes_by_resource: dict[tuple, list[Node]] = {}
    for node in view.nodes.values():
        if node.resource is not None:
            nodes_by_resource.setdefault(node.resource.key, []).append(node)
    view.findings = [f for f in findings if not f.suppressed_by]
    for finding in view.findings:
        if finding.resource is None:
            continue
        key = finding.resource.key
        edges = _edges_at(edges_by_owner.get(key, []), tuple(finding.path))
        for edge in edges:
            edge.findings.append(finding)
            for end in (view.nodes[edge.source], view.nodes[edge.target]):
                if end.dashed:
                    end.findings.append(finding)
        if not edges:
            for node in _nodes_at(nodes_by_resource.get(key, []), tuple(finding.path)):
                node.findings.append(finding)
