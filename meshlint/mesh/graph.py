"""The reference graph of a mesh: which resource points at which, and from which field.

Nodes are resources (keyed by their ``ref``); each edge carries the reference kind and the
field path it comes from. Rules may query it; ``meshlint graph`` draws it.
"""

from __future__ import annotations

import networkx as nx

from meshlint.mesh.index import Mesh
from meshlint.mesh.routes import destinations, gateway_refs
from meshlint.model import Resource


def build_graph(mesh: Mesh) -> nx.MultiDiGraph:
    """Build the graph from the mesh index's resolutions."""
    graph = nx.MultiDiGraph()
    for resource in mesh.resources:
        graph.add_node(resource.ref, resource=resource)

    def edge(source: Resource, target: Resource, kind: str, path: tuple) -> None:
        graph.add_edge(source.ref, target.ref, kind=kind, path=path)

    for vs in mesh.of_kind("VirtualService"):
        for path, ref in gateway_refs(vs):
            if ref != "mesh":
                for gw in mesh.resolve_gateway(ref, vs.namespace).targets:
                    edge(vs, gw, "gateway", path)
        for dest in destinations(vs):
            fqdn = mesh.fqdn(dest.host, vs.namespace)
            for entry in mesh.resolve_host(fqdn, vs.namespace).targets:
                edge(vs, entry.resource, "destination", dest.host_path)
            if dest.subset:
                for dr in mesh.destination_rules_for(fqdn, vs.namespace):
                    edge(vs, dr, "subset", (*dest.path, "subset"))
    for dr in mesh.of_kind("DestinationRule"):
        host = dr.spec.get("host")
        if isinstance(host, str):
            for entry in mesh.resolve_host(mesh.fqdn(host, dr.namespace), dr.namespace).targets:
                edge(dr, entry.resource, "host", ("spec", "host"))
    for gw in mesh.of_kind("Gateway", group="networking.istio.io"):
        selector = gw.spec.get("selector")
        if isinstance(selector, dict):
            labels = {str(k): str(v) for k, v in selector.items()}
            for workload in mesh.workloads.matching(labels):
                edge(gw, workload.resource, "selects", ("spec", "selector"))
    for entries in mesh.services.exact.values():
        for entry in entries:
            if entry.resource.kind == "Service" and entry.selector:
                for workload in mesh.workloads.matching(entry.selector, entry.namespace):
                    edge(entry.resource, workload.resource, "selects", ("spec", "selector"))
    return graph
