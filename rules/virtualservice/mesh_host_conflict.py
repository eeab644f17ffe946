"""Two mesh VirtualServices must not define the same host where both are visible."""

from dataclasses import dataclass

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh.exports import intersects, virtual_service_targets
from meshlint.model import Resource
from meshlint.rules.virtualservice.ingress_subsets import applies_to_mesh


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
                out.append(MeshHost(vs, i, host, mesh.fqdn(host, vs.namespace), scope))
    return out


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
    VirtualService, at its first conflicting host.

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
    """

    id = "ML114"
    name = "vs-mesh-host-conflict"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0109",
        analyzers=("virtualservice.ConflictingMeshGatewayHostsAnalyzer",),
        kiali="KIA1106",
    )

    def check(self, mesh):
        entries = mesh_hosts(mesh)
        index = hosts.HostIndex()
        for entry in entries:
            index.add(entry.fqdn, entry)
        conflicts: dict[int, list[tuple[MeshHost, MeshHost]]] = {}
        overlaps: dict[int, list[tuple[MeshHost, MeshHost]]] = {}
        for entry in entries:
            for other in index.overlapping(entry.fqdn):
                if other.vs is entry.vs or not intersects(entry.scope, other.scope):
                    continue
                found = conflicts if other.fqdn == entry.fqdn else overlaps
                found.setdefault(id(entry.vs), []).append((entry, other))
        for vs in mesh.of_kind("VirtualService"):
            if not vs.linted:
                continue
            if id(vs) in conflicts:
                yield self._report(vs, conflicts[id(vs)], same=True)
            elif id(vs) in overlaps:
                yield self._report(vs, overlaps[id(vs)], same=False)

    def _report(self, vs, pairs, *, same: bool):
        first = min(pairs, key=lambda p: p[0].index)[0]
        others = {id(o.vs): o for _, o in pairs}.values()
        refs = ", ".join(sorted(o.vs.ref for o in others))
        related = [related_to(o.vs, ("spec", "hosts", o.index), o.vs.ref) for o in others]
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
