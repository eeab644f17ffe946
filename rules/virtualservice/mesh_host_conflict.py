"""Two mesh VirtualServices must not define the same host where both are visible."""

import heapq
from dataclasses import dataclass

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh.exports import EVERYWHERE, virtual_service_targets
from meshlint.mesh.groups import MAX_NAMED, UnionSizes, describe
from meshlint.mesh.routes import applies_to_mesh
from meshlint.model import Resource


@dataclass(slots=True, eq=False)
class MeshHost:
    """One host of a mesh VirtualService: as written, fully qualified, and where."""

    vs: Resource
    index: int
    host: str
    fqdn: str
    scope: frozenset


def mesh_hosts(mesh) -> list[MeshHost]:
    out = []
    for vs in mesh.of_kind("VirtualService"):
        if not applies_to_mesh(vs):
            continue
        scope = virtual_service_targets(vs, mesh)
        raw = vs.spec.get("hosts")
        for i, host in enumerate(raw if isinstance(raw, list) else []):
            if isinstance(host, str) and host:
                out.append(MeshHost(vs, i, host, service_fqdn(mesh, host, vs.namespace), scope))
    return out


def service_fqdn(mesh, host: str, namespace: str) -> str:
    """The host fully qualified; ``name.ns`` and ``name.ns.svc`` as the Kubernetes
    Service they name when that Service is in the inputs (Kiali reads them so)."""
    parts = host.split(".")
    if "*" not in host and (len(parts) == 2 or (len(parts) == 3 and parts[2] == "svc")):
        candidate = f"{parts[0]}.{parts[1]}.svc.{mesh.settings.cluster_domain}"
        if any(e.resource.kind == "Service" for e in mesh.services.exact.get(candidate, ())):
            return candidate
    return mesh.fqdn(host, namespace)


class MeshHostConflict(Rule):
    """Several VirtualServices for sidecars define the same host.

    ## What it does
    Looks at VirtualServices that apply to sidecars (no `gateways`, or `mesh` listed)
    and compares their hosts, fully qualified with each VirtualService's namespace. Two of
    them conflict when they name the same host and some namespace sees both (their
    `exportTo` scopes, or the mesh default, intersect). A wildcard host that overlaps a
    different host of another VirtualService is reported as info: Envoy sends each
    request to the most specific host, so nothing is undefined, but the more general
    VirtualService does not apply to the overlapping names. One finding per
    VirtualService, at its first conflicting host. A host written `name.ns` or
    `name.ns.svc` counts as the Service `name` of namespace `ns` when that Service is in
    the inputs.

    ## Why it matters
    Istio merges VirtualServices only for gateways: for sidecars, with two definitions of
    one host only one takes effect and which one is undefined, so routes appear and
    disappear as objects are created and updated.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]  # <-
      http:
      - route:
        - destination: {host: reviews, subset: v1}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews-canary
    spec:
      hosts:
      - reviews.default.svc.cluster.local  # <-
      http:
      - route:
        - destination: {host: reviews, subset: v2}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: reviews, subset: v1}
          weight: 90
        - destination: {host: reviews, subset: v2}
          weight: 10
    ```

    ## Compared with Istio and Kiali
    - istioctl keeps `reviews.bookinfo` apart from `reviews` (its analyzer qualifies
      only names without a dot), so it does not report two VirtualServices that name one
      Service both ways. Kiali does, and so does meshlint: istiod matches VirtualService
      hosts to Services as written, so the two do not combine, and at most one of them
      routes the Service's traffic.
    - Kiali groups VirtualServices by the gateway list as written; meshlint compares the
      sidecar ones here and the gateway ones in ML152.
    """

    id = "ML114"
    name = "vs-mesh-host-conflict"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("VirtualService", "Service", "ServiceEntry")
    targets = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0109",
        analyzers=("virtualservice.ConflictingMeshGatewayHostsAnalyzer",),
        kiali="KIA1106",
    )

    def check(self, mesh):
        hosts_of = HostsOf(mesh_hosts(mesh))
        for vs in mesh.of_kind("VirtualService"):
            own = hosts_of.by_vs.get(id(vs))
            if not vs.linted or not own:
                continue
            for same in (True, False):
                first = next((e for e in own if hosts_of.shared(e, vs, same=same)), None)
                if first is not None:
                    yield self._report(vs, first, hosts_of.others(vs, same=same), same=same)
                    break

    def _report(self, vs, first: MeshHost, others: tuple[list[MeshHost], int], *, same: bool):
        named, total = others
        refs = describe(sorted((o.vs for o in named), key=lambda r: r.ref), total)
        related = [related_to(o.vs, ("spec", "hosts", o.index), o.vs.ref) for o in named]
        path = ("spec", "hosts", first.index)
        if same:
            return self.report(
                vs,
                path,
                f'host "{first.host}" is also defined by {refs} for sidecars, where both are '
                "visible: only one of them takes effect; merge them into one VirtualService",
                related=related,
            )
        return self.report(
            vs,
            path,
            f'host "{first.host}" overlaps hosts of {refs} where both are visible: requests '
            "follow the most specific host",
            related=related,
            severity=Severity.INFO,
        )


@dataclass(slots=True, eq=False)
class Part:
    """Mesh hosts of one FQDN (with their positions) and their VirtualServices."""

    entries: list[tuple[int, MeshHost]]
    vss: set[int]

    def add(self, position: int, entry: MeshHost) -> None:
        self.entries.append((position, entry))
        self.vss.add(id(entry.vs))


class HostsOf:
    """Mesh hosts by FQDN and by where they are visible, so that each VirtualService is
    compared with a few groups of others, never with each of them: of one FQDN, the hosts
    exported everywhere, those visible in each namespace, and all of them."""

    def __init__(self, entries: list[MeshHost]) -> None:
        self.by_vs: dict[int, list[MeshHost]] = {}
        self.by_fqdn: dict[str, dict[str, Part]] = {}
        for position, entry in enumerate(entries):
            self.by_vs.setdefault(id(entry.vs), []).append(entry)
            if not entry.scope:
                continue
            parts = self.by_fqdn.setdefault(entry.fqdn, {})
            for key in ("", *entry.scope):  # "" for all of them, "*" for everywhere
                parts.setdefault(key, Part([], set())).add(position, entry)
        self.index = hosts.HostIndex()
        for fqdn in self.by_fqdn:
            self.index.add(fqdn, fqdn)
        self.sizes = UnionSizes()
        self._runs: dict[tuple, list[list[Part]]] = {}

    def runs(self, entry: MeshHost, *, same: bool) -> list[list[Part]]:
        """The parts visible together with ``entry`` (of its own FQDN, or of the other
        FQDNs that overlap it), in runs whose entries are compared in position order: one
        per exact FQDN, one for all the wildcards."""
        if not entry.scope:  # exported nowhere: visible with nothing
            return []
        key = (entry.fqdn, entry.scope, same)
        if key not in self._runs:
            if same:
                fqdns = [[entry.fqdn]]
            else:
                overlapping = [f for f in self.index.overlapping(entry.fqdn) if f != entry.fqdn]
                exact = [[f] for f in overlapping if not hosts.is_wildcard(f)]
                fqdns = [*exact, [f for f in overlapping if hosts.is_wildcard(f)]]
            visible = [""] if EVERYWHERE in entry.scope else [EVERYWHERE, *sorted(entry.scope)]
            self._runs[key] = [
                [self.by_fqdn[fqdn][k] for fqdn in run for k in visible if k in self.by_fqdn[fqdn]]
                for run in fqdns
            ]
        return self._runs[key]

    def shared(self, entry: MeshHost, vs, *, same: bool) -> bool:
        """Whether another VirtualService's host is visible together with ``entry``."""
        return any(
            len(p.vss) > (id(vs) in p.vss) for run in self.runs(entry, same=same) for p in run
        )

    def others(self, vs, *, same: bool) -> tuple[list[MeshHost], int]:
        """The hosts of the first other VirtualServices visible together with the hosts
        of ``vs`` (one each), and how many other VirtualServices there are."""
        own = self.by_vs[id(vs)]
        every = [p for entry in own for run in self.runs(entry, same=same) for p in run]
        total = self.sizes.size(p.vss for p in every) - any(id(vs) in p.vss for p in every)
        named: dict[int, MeshHost] = {}
        for entry in own:
            for run in self.runs(entry, same=same):
                for _, other in heapq.merge(*(p.entries for p in run), key=lambda e: e[0]):
                    if other.vs is not vs:
                        named.setdefault(id(other.vs), other)
                        if len(named) == MAX_NAMED:
                            return list(named.values()), total
        return list(named.values()), total
