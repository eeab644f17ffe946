"""The traffic view of a mesh, built from the mesh index.

Edges follow traffic: gateway pods -> Gateway -> VirtualService -> host or subset ->
workloads; the ``mesh`` node stands for every sidecar (VirtualServices bound to the ``mesh``
gateway, mesh-wide policies); policies point at the workloads they select; a Sidecar's
egress hosts link its workloads to the ServiceEntries they may call. A reference that does
not resolve ends in a missing (or unknown) node, so the break is part of the picture.
"""

from __future__ import annotations

from meshlint.fieldpath import Path, get
from meshlint.graphview.filters import subview
from meshlint.graphview.labels import route_label
from meshlint.graphview.view import Edge, Node, View
from meshlint.mesh.index import ASSUMED_FILE, ISTIO_NETWORKING, Mesh, gateway_name
from meshlint.mesh.resolve import Resolution, Status
from meshlint.mesh.routes import Destination, destinations, gateway_refs
from meshlint.mesh.services import ServiceHost
from meshlint.mesh.workloads import WORKLOAD_KINDS, Workload, selects
from meshlint.model import Resource, string_map

MESH = "mesh"

#: Policy kinds and where their workload selector lives.
POLICY_SELECTORS: dict[str, Path] = {
    "Sidecar": ("spec", "workloadSelector", "labels"),
    "PeerAuthentication": ("spec", "selector", "matchLabels"),
    "AuthorizationPolicy": ("spec", "selector", "matchLabels"),
}

#: A qualifier for a policy's heading: PeerAuthentication mTLS mode, AuthorizationPolicy action.
POLICY_QUALIFIERS: dict[str, Path] = {
    "PeerAuthentication": ("spec", "mtls", "mode"),
    "AuthorizationPolicy": ("spec", "action"),
}

ROLE_OF_KIND = {
    "Gateway": "gateway",
    "VirtualService": "route",
    "Service": "host",
    "ServiceEntry": "host",
    **dict.fromkeys(POLICY_SELECTORS, "policy"),
    **dict.fromkeys(WORKLOAD_KINDS, "workload"),
}


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


class ViewBuilder:
    """Adds the nodes and edges of one mesh to a :class:`View`."""

    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh
        self.view = View()
        self.domain = mesh.settings.cluster_domain
        self._ids: dict[tuple, str] = {}
        self._entries: dict[tuple, list[ServiceHost]] = {}
        registry = mesh.services
        for entry in [*(e for es in registry.exact.values() for e in es), *registry.wildcards]:
            self._entries.setdefault(entry.resource.key, []).append(entry)

    def build(self) -> View:
        for gateway in self.mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            self.gateway(gateway)
        for vs in self.mesh.of_kind("VirtualService"):
            self.virtual_service(vs)
        for host in self.mesh.of_kind("Service", "ServiceEntry"):
            self.host(host)
        for dr in self.mesh.of_kind("DestinationRule"):
            self.subsets(dr)
        for workload in self.mesh.workloads.all:
            self.resource_node(workload.resource)
        for kind in POLICY_SELECTORS:
            for policy in self.mesh.of_kind(kind):
                self.policy(policy)
        self._prune_assumed()
        return self.view

    # -- nodes -----------------------------------------------------------------------

    def resource_node(self, resource: Resource, heading: str = "") -> Node:
        """The node of a resource, created on first use."""
        known = self._ids.get(resource.key)
        if known is not None:
            return self.view.nodes[known]
        node_id = resource.ref + (f" @{resource.cluster}" if resource.cluster else "")
        if node_id in self.view.nodes:
            node_id += f" [{resource.group or 'core'}]"
        hosts = tuple(e.host for e in self._entries.get(resource.key, ()))
        node = Node(
            node_id,
            ROLE_OF_KIND[resource.kind],
            resource.kind,
            resource.namespace,
            resource.name,
            heading=heading,
            state="assumed" if resource.file == ASSUMED_FILE else "defined",
            resource=resource,
            hosts=hosts,
        )
        self._ids[resource.key] = node_id
        return self.view.add(node)

    def mesh_node(self) -> Node:
        return self.view.add(Node(MESH, "mesh", "Mesh", "", MESH, text="every sidecar"))

    def placeholder(self, role: str, kind: str, heading: str, text: str, state: str) -> Node:
        """A node for a reference that resolves to nothing meshlint can see."""
        prefix = "" if state == "external" else f"{state} "
        node_id = f"{prefix}{heading} {text}"
        return self.view.add(Node(node_id, role, kind, "", text, heading, text, state))

    # -- edges -----------------------------------------------------------------------

    def connect(
        self,
        source: Node,
        target: Node,
        kind: str,
        owner: Resource,
        path: Path | None,
        label: str = "",
    ) -> None:
        paths = [path] if path else []
        self.view.connect(Edge(source.id, target.id, kind, label, owner, paths))

    def selected(
        self,
        source: Node,
        owner: Resource,
        path: Path,
        workloads: list[Workload],
        kind: str = "selects",
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
        listed = vs.spec.get("gateways")
        if not isinstance(listed, list) or not listed:
            self.connect(self.mesh_node(), node, "binds", vs, None)
        for path, reference in gateway_refs(vs):
            for gateway in self._gateways(reference, vs.namespace):
                self.connect(gateway, node, "binds", vs, path)
        for dest in destinations(vs):
            self.route(vs, node, dest)

    def _gateways(self, reference: str, namespace: str) -> list[Node]:
        if reference == MESH:
            return [self.mesh_node()]
        resolution = self.mesh.resolve_gateway(reference, namespace)
        if resolution.found:
            return [self.resource_node(r) for r in resolution.targets]
        ns, name = gateway_name(reference, namespace)
        state = "missing" if resolution.missing else "unknown"
        return [self.placeholder("gateway", "Gateway", "Gateway", f"{ns}/{name}", state)]

    def route(self, vs: Resource, node: Node, dest: Destination) -> None:
        fqdn = self.mesh.fqdn(dest.host, vs.namespace)
        resolution = self.mesh.resolve_host(fqdn, vs.namespace)
        if dest.subset and not resolution.missing:
            targets = self._subsets(fqdn, dest.subset, vs.namespace, resolution)
        else:
            targets = self._hosts(fqdn, resolution)
        kind = "mirrors" if dest.mirror else "routes"
        label = route_label(vs, dest)
        for target in targets:
            self.connect(node, target, kind, vs, dest.path, label)

    def _hosts(self, fqdn: str, resolution: Resolution) -> list[Node]:
        if resolution.targets:
            resources = {e.resource.key: e.resource for e in resolution.targets}
            return [self.resource_node(r) for r in resources.values()]
        state = {Status.FOUND: "external", Status.NOT_FOUND: "missing"}.get(
            resolution.status, "unknown"
        )
        node = self.placeholder("host", "Host", "Host", short_host(fqdn, self.domain), state)
        node.hosts = (fqdn,)
        return [node]

    def _subsets(self, fqdn: str, subset: str, namespace: str, host: Resolution) -> list[Node]:
        rules = self.mesh.destination_rules_for(fqdn, namespace)
        nodes = [
            self.subset_node(dr, index, name)
            for dr in rules
            for index, name, _ in subset_names(dr)
            if name == subset
        ]
        if nodes:
            return nodes
        state = "unknown" if host.status is Status.UNKNOWN and not rules else "missing"
        text = short_host(fqdn, self.domain)
        node = self.placeholder("subset", "Subset", f"Subset {subset}", text, state)
        node.hosts = (fqdn,)
        return [node]

    def subset_node(self, dr: Resource, index: int, name: str) -> Node:
        host = str(dr.spec.get("host"))
        fqdn = self.mesh.fqdn(host, dr.namespace)
        node_id = f"Subset {dr.namespace}/{dr.name}/{name}"
        return self.view.add(
            Node(
                node_id,
                "subset",
                "Subset",
                dr.namespace,
                f"{dr.name}/{name}",
                heading=f"Subset {name}",
                text=short_host(fqdn, self.domain),
                resource=dr,
                path=("spec", "subsets", index),
                hosts=(fqdn,),
            )
        )

    def host(self, resource: Resource) -> None:
        node = self.resource_node(resource)
        path = ("spec", "selector") if resource.kind == "Service" else ("spec", "workloadSelector")
        for entry in self._entries.get(resource.key, ()):
            if entry.selector:
                workloads = self.mesh.workloads.matching(entry.selector, entry.namespace)
                self.selected(node, resource, path, workloads)

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
                    self.selected(node, dr, ("spec", "subsets", index, "labels"), workloads)

    def policy(self, policy: Resource) -> None:
        qualifier = get(policy.body, POLICY_QUALIFIERS.get(policy.kind, ("-",)))
        heading = f"{policy.kind} · {qualifier}" if isinstance(qualifier, str) else ""
        node = self.resource_node(policy, heading)
        sources = self._policy_targets(policy, node)
        if policy.kind == "Sidecar":
            self.sidecar_egress(policy, sources)

    def _policy_targets(self, policy: Resource, node: Node) -> list[Node]:
        """Draw what a policy applies to; return the workload (or mesh) nodes it selects."""
        selector_path = POLICY_SELECTORS[policy.kind]
        selector = get(policy.body, selector_path)
        if isinstance(selector, dict) and selector:
            workloads = self.mesh.workloads.matching(string_map(selector), policy.namespace)
            self.selected(node, policy, selector_path[:2], workloads, "applies")
            return [self.resource_node(w.resource) for w in workloads]
        refs = policy.spec.get("targetRefs")
        refs = refs if isinstance(refs, list) else [policy.spec.get("targetRef")]
        targets = [t for t in (self._target_ref(policy, r) for r in refs) if t is not None]
        if any(isinstance(r, dict) for r in refs):
            for target in targets:
                self.connect(node, target, "applies", policy, None)
            return []
        if policy.namespace == self.mesh.settings.root_namespace:
            mesh = self.mesh_node()
            self.connect(node, mesh, "applies", policy, None)
            return [mesh]
        workloads = [w for w in self.mesh.workloads.all if w.namespace == policy.namespace]
        self.selected(node, policy, (), workloads, "applies")
        return [self.resource_node(w.resource) for w in workloads]

    def _target_ref(self, policy: Resource, ref: object) -> Node | None:
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
            return None
        group, kind = str(ref.get("group") or ""), str(ref.get("kind") or "")
        namespace = str(ref.get("namespace") or policy.namespace)
        target = self.mesh.get(group, kind, namespace, ref["name"])
        if target is None or target.kind not in ROLE_OF_KIND:
            return None
        return self.resource_node(target)

    def sidecar_egress(self, sidecar: Resource, sources: list[Node]) -> None:
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

    def _prune_assumed(self) -> None:
        """Drop assumed resources (default gateways) that no defined node is linked to."""
        view = self.view
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
        if len(linked) < len(view.nodes):
            self.view = subview(view, linked)
