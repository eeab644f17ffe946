"""Cutting a large picture down: by namespace, by host, or to what one node reaches."""

from __future__ import annotations

from collections.abc import Iterable

from meshlint.core.suggest import hint
from meshlint.graphview.view import View
from meshlint.mesh import hosts as hostnames


class NodeNotFound(LookupError):
    """``--from`` names no node of the picture."""


def find_node(view: View, reference: str, default_namespace: str) -> str:
    """The id of the node ``Kind/namespace/name`` (or ``Kind/name`` in the default namespace)."""
    parts = reference.split("/")
    if len(parts) == 2:
        parts.insert(1, default_namespace)
    if len(parts) != 3 or not all(parts):
        raise NodeNotFound(f"{reference!r} is not Kind/namespace/name")
    kind, namespace, name = parts
    for node in view.nodes.values():
        if (node.kind.lower(), node.namespace, node.name) == (kind.lower(), namespace, name):
            return node.id
    names = [f"{n.kind}/{n.title}" for n in view.nodes.values()]
    raise NodeNotFound(f"no {kind} {namespace}/{name} in the picture" + hint(reference, names))


def reachable(view: View, seeds: Iterable[str], *, forward: bool = True) -> set[str]:
    """``seeds`` and every node reachable from them along (or against) the edges."""
    step: dict[str, list[str]] = {}
    for edge in view.edges:
        a, b = (edge.source, edge.target) if forward else (edge.target, edge.source)
        step.setdefault(a, []).append(b)
    seen = set(seeds)
    todo = list(seen)
    while todo:
        for nxt in step.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def host_matches(wanted: str, host: str) -> bool:
    """``reviews`` (any namespace), a FQDN, or a wildcard, against a node's FQDN host."""
    if "." not in wanted and not hostnames.is_wildcard(wanted):
        return host.split(".", 1)[0] == wanted
    return hostnames.overlaps(wanted, host)


def _with_policies(view: View, keep: set[str]) -> set[str]:
    """``keep`` plus the policies that apply to a kept node."""
    extra = {
        e.source
        for e in view.edges
        if e.kind == "applies" and e.target in keep and view.nodes[e.source].role == "policy"
    }
    return keep | extra


def select(
    view: View,
    *,
    namespaces: Iterable[str] = (),
    hosts: Iterable[str] = (),
    start: str | None = None,
) -> View:
    """The part of ``view`` the filters keep (all of it without filters).

    ``start``: what traffic reaches from that node. ``hosts``: what leads to or from the
    hosts (their Services, ServiceEntries and subsets). ``namespaces``: nodes in those
    namespaces and their direct neighbours, so cross-namespace links stay visible.
    """
    hosts, namespaces = list(hosts), set(namespaces)
    if start is None and not hosts and not namespaces:
        return view
    keep = set(view.nodes)
    if start is not None:
        keep &= reachable(view, [start])
    if hosts:
        seeds = [
            node_id
            for node_id, node in view.nodes.items()
            if any(host_matches(w, h) for w in hosts for h in node.hosts)
        ]
        keep &= reachable(view, seeds) | reachable(view, seeds, forward=False)
    if start is not None or hosts:
        keep = _with_policies(view, keep)
    if namespaces:
        inside = {i for i, n in view.nodes.items() if n.namespace in namespaces}
        near = {e.target for e in view.edges if e.source in inside}
        near |= {e.source for e in view.edges if e.target in inside}
        keep &= inside | near
    return subview(view, keep)


def subview(view: View, keep: set[str]) -> View:
    """The nodes in ``keep``, the edges between them, and the findings placed on them."""
    out = View()
    for node_id, node in view.nodes.items():
        if node_id in keep:
            out.add(node)
    for edge in view.edges:
        if edge.source in keep and edge.target in keep:
            out.connect(edge)
    placed = {id(f) for n in out.nodes.values() for f in n.findings}
    placed |= {id(f) for e in out.edges for f in e.findings}
    shown = {n.resource.key for n in out.nodes.values() if n.resource is not None}
    out.findings = [
        f
        for f in view.findings
        if id(f) in placed or (f.resource is not None and f.resource.key in shown)
    ]
    return out
