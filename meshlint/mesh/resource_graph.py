"""The resource graph of a mesh: what refers to what, in the direction traffic flows.

Nodes are resources (Gateways, VirtualServices, Gateway API routes, Services,
ServiceEntries, workloads, policies), the subsets of DestinationRules, the ``mesh`` (every
sidecar), and a placeholder for each reference that resolves to nothing the inputs
define. Edges run the way traffic does: gateway pods -> Gateway -> VirtualService (or
route) -> delegate VirtualService -> host or subset -> workloads; policies point at what
they select, and a Sidecar's workloads at the ServiceEntries its egress names. Every edge
keeps the resource that declares the reference (``owner``), the field it is declared at
(``path``), and how it resolved (``resolution``: found, not found or unknown, with the
``reason``), as the mesh index resolves it.

Node attributes: ``kind``, ``role`` (mesh, gateway, route, host, subset, workload,
policy), ``namespace``, ``name``, ``state`` (defined, assumed, external, missing,
unknown), ``resource``, ``path`` (a subset's place in its DestinationRule), ``hosts`` (the
FQDNs a host or subset stands for) and ``subset`` (a subset's name). Edge attributes:
``kind``, ``owner``, ``path``, ``resolution``, ``reason``, ``destination`` (of a route),
and ``seq``, the order edges were declared in.

networkx is imported only when a graph is built: linting never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from meshlint.fieldpath import Path, get
from meshlint.mesh.gatewayapi import (
    GATEWAY_API,
    ROUTE_KINDS,
    backend_refs,
    is_gateway,
    is_service,
    parent_refs,
    resolve_in_namespace,
)
from meshlint.mesh.index import ASSUMED_FILE, ISTIO_NETWORKING, Mesh, gateway_name
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.resolve import Resolution, Status, found
from meshlint.mesh.routes import Destination, delegates, destinations, gateway_refs, is_delegate
from meshlint.mesh.services import ServiceHost
from meshlint.mesh.workloads import WORKLOAD_KINDS, Workload, selects
from meshlint.model import Resource, string_map

if TYPE_CHECKING:
    import networkx as nx

MESH = "mesh"

#: Policy kinds and where their workload selector lives.
POLICY_SELECTORS: dict[str, Path] = {
    "Sidecar": ("spec", "workloadSelector", "labels"),
    "PeerAuthentication": ("spec", "selector", "matchLabels"),
    "AuthorizationPolicy": ("spec", "selector", "matchLabels"),
}

ROLE_OF_KIND = {
    "Gateway": "gateway",
    "VirtualService": "route",
    **dict.fromkeys(ROUTE_KINDS, "route"),
    "Service": "host",
    "ServiceEntry": "host",
    **dict.fromkeys(POLICY_SELECTORS, "policy"),
    **dict.fromkeys(WORKLOAD_KINDS, "workload"),
}

#: The state of a placeholder node, by the resolution of the reference that made it.
PLACEHOLDER_STATES = {Status.FOUND: "external", Status.NOT_FOUND: "missing"}

FOUND = found([])


def short_host(host: str, domain: str) -> str:
    """``reviews.default.svc.cluster.local`` -> ``default/reviews``; others unchanged."""
    suffix = f".svc.{domain}"
    if host.endswith(suffix):
        name, _, namespace = host[: -len(suffix)].rpartition(".")
        if name and namespace:
            return f"{namespace}/{name}"
    return host


def subset_names(dr: Resource) -> list[tuple[int, str, dict[str, str]]]:
    """(index, name, labels) of each named subset of a DestinationRule."""
    subsets = dr.spec.get("subsets")
    if not isinstance(subsets, list):
        return []
    return [
        (i, str(s["name"]), string_map(s.get("labels")))
        for i, s in enumerate(subsets)
        if isinstance(s, dict) and s.get("name")
    ]


def resolve_delegate(mesh: Mesh, namespace: str, name: str) -> Resolution:
    """The VirtualService a ``delegate`` names: found, not found when the inputs hold a
    VirtualService of its namespace (or are declared complete), unknown otherwise."""
    target = mesh.get(ISTIO_NETWORKING, "VirtualService", namespace, name)
    return resolve_in_namespace(mesh, target, "VirtualService", namespace)


@dataclass(frozen=True)
class ResourceGraph:
    """The graph (a networkx ``MultiDiGraph``) and the node of each resource."""

    graph: nx.MultiDiGraph
    ids: dict[tuple, str]

    def node_of(self, resource: Resource) -> str | None:
        """The id of a resource's node, None when the graph has none."""
        return self.ids.get(resource.key)

    def delegating(self, vs: Resource) -> list[tuple[Resource, Path]]:
        """The VirtualServices whose ``delegate`` names ``vs``, with the field naming it."""
        node = self.node_of(vs)
        if node is None:
            return []
        return [
            (data["owner"], data["path"])
            for _, _, data in sorted(
                self.graph.in_edges(node, data=True), key=lambda e: e[2]["seq"]
            )
            if data["kind"] == "delegates"
        ]


@per_mesh
def resource_graph(mesh: Mesh) -> ResourceGraph:
    """The resource graph of ``mesh``, built once (shared: callers must not modify it)."""
    return GraphBuilder(mesh).build()


class GraphBuilder:
    """Adds the nodes and edges of one mesh to a graph, in traffic order."""

    def __init__(self, mesh: Mesh) -> None:
        import networkx as nx

        self.mesh = mesh
        self.graph = nx.MultiDiGraph()
        self.domain = mesh.settings.cluster_domain
        self.ids: dict[tuple, str] = {}
        self._seq = 0
        self._declared: set[tuple] = set()
        self._entries: dict[tuple, list[ServiceHost]] = {}
        registry = mesh.services
        for entry in [*(e for es in registry.exact.values() for e in es), *registry.wildcards]:
            self._entries.setdefault(entry.resource.key, []).append(entry)

    def build(self) -> ResourceGraph:
        mesh = self.mesh
        for gateway in mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            self.gateway(gateway)
        for vs in mesh.of_kind("VirtualService"):
            self.virtual_service(vs)
        for route in mesh.of_kind(*ROUTE_KINDS, group=GATEWAY_API):
            self.gateway_api_route(route)
        for host in mesh.of_kind("Service", "ServiceEntry"):
            self.host(host)
        for dr in mesh.of_kind("DestinationRule"):
            self.subsets(dr)
        for workload in mesh.workloads.all:
            self.resource_node(workload.resource)
        for kind in POLICY_SELECTORS:
            for policy in mesh.of_kind(kind):
                self.policy(policy)
        return ResourceGraph(self.graph, self.ids)

    # -- nodes -----------------------------------------------------------------------

    def resource_node(self, resource: Resource) -> str:
        """The node of a resource, added on first use."""
        known = self.ids.get(resource.key)
        if known is not None:
            return known
        node_id = resource.ref + (f" @{resource.cluster}" if resource.cluster else "")
        if node_id in self.graph:
            node_id += f" [{resource.group or 'core'}]"
        self.graph.add_node(
            node_id,
            kind=resource.kind,
            role=ROLE_OF_KIND[resource.kind],
            namespace=resource.namespace,
            name=resource.name,
            state="assumed" if resource.file == ASSUMED_FILE else "defined",
            resource=resource,
            path=(),
            hosts=tuple(e.host for e in self._entries.get(resource.key, ())),
        )
        self.ids[resource.key] = node_id
        return node_id

    def mesh_node(self) -> str:
        if MESH not in self.graph:
            self.graph.add_node(
                MESH, kind="Mesh", role="mesh", namespace="", name=MESH, state="defined"
            )
        return MESH

    def placeholder(
        self, kind: str, name: str, resolution: Resolution, *, subset: str = "", hosts=()
    ) -> str:
        """The node of a reference that resolves to nothing the inputs define."""
        state = PLACEHOLDER_STATES.get(resolution.status, "unknown")
        heading = f"{kind} {subset}" if subset else kind
        prefix = "" if state == "external" else f"{state} "
        node_id = f"{prefix}{heading} {name}"
        if node_id not in self.graph:
            role = "subset" if subset else ROLE_OF_KIND.get(kind, "host")
            self.graph.add_node(
                node_id,
                kind=kind,
                role=role,
                namespace="",
                name=name,
                state=state,
                hosts=tuple(hosts),
                subset=subset,
            )
        return node_id

    def subset_node(self, dr: Resource, index: int, name: str) -> str:
        node_id = f"Subset {dr.namespace}/{dr.name}/{name}"
        if node_id not in self.graph:
            fqdn = self.mesh.fqdn(str(dr.spec.get("host")), dr.namespace)
            self.graph.add_node(
                node_id,
                kind="Subset",
                role="subset",
                namespace=dr.namespace,
                name=f"{dr.name}/{name}",
                state="defined",
                resource=dr,
                path=("spec", "subsets", index),
                hosts=(fqdn,),
                subset=name,
            )
        return node_id

    # -- edges -----------------------------------------------------------------------

    def connect(
        self,
        source: str,
        target: str,
        kind: str,
        owner: Resource,
        path: Path | None,
        resolution: Resolution = FOUND,
        **extra: object,
    ) -> None:
        """Add the reference ``owner`` declares at ``path`` (once per field)."""
        key = (kind, owner.key, path)
        if (source, target, key) in self._declared:
            return
        self._declared.add((source, target, key))
        self.graph.add_edge(
            source,
            target,
            key,
            kind=kind,
            owner=owner,
            path=path,
            resolution=resolution.status,
            reason=resolution.reason,
            seq=self._seq,
            **extra,
        )
        self._seq += 1

    def selected(
        self, source: str, owner: Resource, path: Path, workloads: list[Workload], kind: str
    ) -> None:
        for workload in workloads:
            self.connect(source, self.resource_node(workload.resource), kind, owner, path)

    # -- resources -------------------------------------------------------------------

    def gateway(self, gateway: Resource) -> None:
        node = self.resource_node(gateway)
        selector = gateway.spec.get("selector")
        if isinstance(selector, dict) and selector:
            for workload in self.mesh.workloads.matching(string_map(selector)):
                pod = self.resource_node(workload.resource)
                self.connect(pod, node, "serves", gateway, ("spec", "selector"))

    def virtual_service(self, vs: Resource) -> None:
        node = self.resource_node(vs)
        if not is_delegate(vs):
            listed = vs.spec.get("gateways")
            if not isinstance(listed, list) or not listed:
                self.connect(self.mesh_node(), node, "binds", vs, None)
            for path, reference in gateway_refs(vs):
                for gateway, resolution in self._gateways(reference, vs.namespace):
                    self.connect(gateway, node, "binds", vs, path, resolution)
        for path, namespace, name in delegates(vs):
            resolution = resolve_delegate(self.mesh, namespace, name)
            if resolution.found:
                target = self.resource_node(resolution.targets[0])
            else:
                target = self.placeholder("VirtualService", f"{namespace}/{name}", resolution)
            self.connect(node, target, "delegates", vs, path, resolution)
        for dest in destinations(vs):
            self.route(vs, node, dest)

    def _gateways(self, reference: str, namespace: str) -> list[tuple[str, Resolution]]:
        if reference == MESH:
            return [(self.mesh_node(), FOUND)]
        resolution = self.mesh.resolve_gateway(reference, namespace)
        if resolution.found:
            return [(self.resource_node(r), resolution) for r in resolution.targets]
        ns, name = gateway_name(reference, namespace)
        return [(self.placeholder("Gateway", f"{ns}/{name}", resolution), resolution)]

    def route(self, vs: Resource, node: str, dest: Destination) -> None:
        fqdn = self.mesh.fqdn(dest.host, vs.namespace)
        resolution = self.mesh.resolve_host(fqdn, vs.namespace)
        if dest.subset and not resolution.missing:
            targets = self._subsets(fqdn, dest.subset, vs.namespace, resolution)
        else:
            targets = self._hosts(fqdn, resolution)
        kind = "mirrors" if dest.mirror else "routes"
        for target, found_as in targets:
            self.connect(node, target, kind, vs, dest.path, found_as, destination=dest)

    def _hosts(self, fqdn: str, resolution: Resolution) -> list[tuple[str, Resolution]]:
        if resolution.targets:
            resources = {e.resource.key: e.resource for e in resolution.targets}
            return [(self.resource_node(r), resolution) for r in resources.values()]
        name = short_host(fqdn, self.domain)
        return [(self.placeholder("Host", name, resolution, hosts=(fqdn,)), resolution)]

    def _subsets(
        self, fqdn: str, subset: str, namespace: str, host: Resolution
    ) -> list[tuple[str, Resolution]]:
        rules = self.mesh.destination_rules_for(fqdn, namespace)
        nodes = [
            self.subset_node(dr, index, name)
            for dr in rules
            for index, name, _ in subset_names(dr)
            if name == subset
        ]
        if nodes:
            return [(n, FOUND) for n in nodes]
        if host.status is Status.UNKNOWN and not rules:
            resolution = host
        else:
            resolution = Resolution(Status.NOT_FOUND, [], f"no subset {subset} of {fqdn}")
        name = short_host(fqdn, self.domain)
        node = self.placeholder("Subset", name, resolution, subset=subset, hosts=(fqdn,))
        return [(node, resolution)]

    def gateway_api_route(self, route: Resource) -> None:
        """Parents (Gateways, or Services for mesh routing) -> the route -> its backends."""
        node = self.resource_node(route)
        for ref in parent_refs(route):
            if is_gateway(ref) or is_service(ref):
                parent = self._ref_node(ref.group, ref.kind, ref.namespace, ref.name)
                self.connect(parent[0], node, "binds", route, ref.path, parent[1])
        for ref in backend_refs(route):
            if is_service(ref):
                backend = self._ref_node(ref.group, ref.kind, ref.namespace, ref.name)
                self.connect(node, backend[0], "routes", route, ref.path, backend[1])

    def _ref_node(self, group: str, kind: str, namespace: str, name: str) -> tuple[str, Resolution]:
        target = self.mesh.get(group, kind, namespace, name)
        resolution = resolve_in_namespace(self.mesh, target, kind, namespace)
        if target is not None:
            return self.resource_node(target), resolution
        return self.placeholder(kind, f"{namespace}/{name}", resolution), resolution

    def host(self, resource: Resource) -> None:
        node = self.resource_node(resource)
        path = ("spec", "selector") if resource.kind == "Service" else ("spec", "workloadSelector")
        for entry in self._entries.get(resource.key, ()):
            if entry.selector:
                workloads = self.mesh.workloads.matching(entry.selector, entry.namespace)
                self.selected(node, resource, path, workloads, "selects")

    def subsets(self, dr: Resource) -> None:
        host = dr.spec.get("host")
        if not isinstance(host, str) or not host:
            return
        fqdn = self.mesh.fqdn(host, dr.namespace)
        entries = self.mesh.resolve_host(fqdn, dr.namespace).targets
        for index, name, labels in subset_names(dr):
            node = self.subset_node(dr, index, name)
            for entry in entries:
                if entry.selector:
                    workloads = [
                        w
                        for w in self.mesh.workloads.matching(entry.selector, entry.namespace)
                        if selects(labels, w.labels)
                    ]
                    path = ("spec", "subsets", index, "labels")
                    self.selected(node, dr, path, workloads, "selects")

    def policy(self, policy: Resource) -> None:
        node = self.resource_node(policy)
        sources = self._policy_targets(policy, node)
        if policy.kind == "Sidecar":
            self.sidecar_egress(policy, sources)

    def _policy_targets(self, policy: Resource, node: str) -> list[str]:
        """Add what a policy applies to; return the workload (or mesh) nodes it selects."""
        selector_path = POLICY_SELECTORS[policy.kind]
        selector = get(policy.body, selector_path)
        if isinstance(selector, dict) and selector:
            workloads = self.mesh.workloads.matching(string_map(selector), policy.namespace)
            self.selected(node, policy, selector_path[:2], workloads, "applies")
            return [self.resource_node(w.resource) for w in workloads]
        refs = policy.spec.get("targetRefs")
        if isinstance(refs, list):
            refs = [(("spec", "targetRefs", i), r) for i, r in enumerate(refs)]
        else:
            refs = [(("spec", "targetRef"), policy.spec.get("targetRef"))]
        if any(isinstance(r, dict) for _, r in refs):
            for path, ref in refs:
                target = self._target_ref(policy, ref)
                if target is not None:
                    self.connect(node, target[0], "applies", policy, path, target[1])
            return []
        if policy.namespace == self.mesh.settings.root_namespace:
            mesh = self.mesh_node()
            self.connect(node, mesh, "applies", policy, None)
            return [mesh]
        workloads = [w for w in self.mesh.workloads.all if w.namespace == policy.namespace]
        self.selected(node, policy, (), workloads, "applies")
        return [self.resource_node(w.resource) for w in workloads]

    def _target_ref(self, policy: Resource, ref: object) -> tuple[str, Resolution] | None:
        """The node a ``targetRef`` names and its resolution; None when it names no
        kind the graph draws."""
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
            return None
        group, kind = str(ref.get("group") or ""), str(ref.get("kind") or "")
        if kind not in ROLE_OF_KIND:
            return None
        namespace = str(ref.get("namespace") or policy.namespace)
        return self._ref_node(group, kind, namespace, ref["name"])

    def sidecar_egress(self, sidecar: Resource, sources: list[str]) -> None:
        """Workloads -> the ServiceEntries their Sidecar's egress hosts name explicitly."""
        listeners = sidecar.spec.get("egress")
        if not isinstance(listeners, list):
            return
        for i, listener in enumerate(listeners):
            hosts = listener.get("hosts") if isinstance(listener, dict) else None
            for j, value in enumerate(hosts if isinstance(hosts, list) else ()):
                path = ("spec", "egress", i, "hosts", j)
                for entry in self._egress_entries(sidecar, value):
                    target = self.resource_node(entry.resource)
                    for source in sources:
                        self.connect(source, target, "egress", sidecar, path)

    def _egress_entries(self, sidecar: Resource, value: object) -> list[ServiceHost]:
        if not isinstance(value, str) or "/" not in value:
            return []
        namespace, _, host = value.partition("/")
        if host == "*" or namespace == "~":
            return []
        wanted = sidecar.namespace if namespace == "." else namespace
        return [
            e
            for e in self.mesh.services.lookup(host)
            if e.resource.kind == "ServiceEntry" and wanted in ("*", e.namespace)
        ]
