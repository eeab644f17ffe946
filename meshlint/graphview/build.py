"""The traffic view of a mesh: its resource graph, as boxes and arrows.

The resource graph (:mod:`meshlint.mesh.resource_graph`) decides what is drawn and how
each reference resolved; this module gives the nodes their headings and the route edges
their labels, merges the arrows that say the same thing, and leaves out the resources
Istio is assumed to create (default gateways) that nothing drawn is linked to.
"""

from __future__ import annotations

from meshlint.fieldpath import Path, get
from meshlint.graphview.filters import subview
from meshlint.graphview.labels import match_summary, route_label
from meshlint.graphview.view import Edge, Node, View
from meshlint.mesh.index import Mesh
from meshlint.mesh.resource_graph import resource_graph, short_host

#: A qualifier for a policy's heading: PeerAuthentication mTLS mode, AuthorizationPolicy action.
POLICY_QUALIFIERS: dict[str, Path] = {
    "PeerAuthentication": ("spec", "mtls", "mode"),
    "AuthorizationPolicy": ("spec", "action"),
}


def project(mesh: Mesh) -> View:
    """The view of the mesh's resource graph, without findings."""
    graph = resource_graph(mesh).graph
    domain = mesh.settings.cluster_domain
    view = View()
    for node_id, data in graph.nodes(data=True):
        view.add(_node(node_id, data, domain))
    edges = sorted(graph.edges(data=True), key=lambda e: e[2]["seq"])
    for source, target, data in edges:
        path = data["path"]
        paths = [path] if path else []
        edge = Edge(source, target, data["kind"], _label(data), data["owner"], paths)
        view.connect(edge)
    return _without_unlinked_assumed(view)


def _node(node_id: str, data: dict, domain: str) -> Node:
    kind, resource, subset = data["kind"], data.get("resource"), data.get("subset")
    heading = text = ""
    if subset:
        heading = f"Subset {subset}"
        text = short_host(data["hosts"][0], domain)
    elif kind == "Mesh":
        text = "every sidecar"
    elif resource is not None and kind in POLICY_QUALIFIERS:
        qualifier = get(resource.body, POLICY_QUALIFIERS[kind])
        heading = f"{kind} · {qualifier}" if isinstance(qualifier, str) else ""
    return Node(
        node_id,
        data["role"],
        kind,
        data["namespace"],
        data["name"],
        heading=heading,
        text=text,
        state=data["state"],
        resource=resource,
        path=data.get("path", ()),
        hosts=data.get("hosts", ()),
    )


def _label(data: dict) -> str:
    """A route's weight and match, a delegation's match."""
    destination = data.get("destination")
    if destination is not None:
        return route_label(data["owner"], destination)
    if data["kind"] == "delegates":
        return match_summary(get(data["owner"].body, data["path"][:3]))
    return ""


def _without_unlinked_assumed(view: View) -> View:
    """Drop assumed resources (default gateways) that no defined node is linked to."""
    linked = {i for i, n in view.nodes.items() if n.state != "assumed"}
    near: dict[str, list[str]] = {}
    for edge in view.edges:
        near.setdefault(edge.source, []).append(edge.target)
        near.setdefault(edge.target, []).append(edge.source)
    todo = list(linked)
    while todo:
        for other in near.get(todo.pop(), ()):
            if other not in linked:
                linked.add(other)
                todo.append(other)
    return subview(view, linked) if len(linked) < len(view.nodes) else view
