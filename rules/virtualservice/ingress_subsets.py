"""Gateway routes without a subset bypass the subset routing of mesh VirtualServices."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.routes import MESH, applies_to_mesh, destinations, gateways_of
from meshlint.mesh.subsets import backing_workloads, selected_by, subset_labels
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource


def subset_routes(vs: Resource, mesh) -> dict[str, set[str]]:
    """The subsets a VirtualService routes to, by fully qualified host, for the hosts the
    VirtualService itself defines."""
    raw = vs.spec.get("hosts")
    own = {mesh.fqdn(str(h), vs.namespace) for h in raw} if isinstance(raw, list) else set()
    out: dict[str, set[str]] = {}
    for dest in destinations(vs, mirrors=False):
        host = mesh.fqdn(dest.host, vs.namespace)
        if dest.subset and host in own:
            out.setdefault(host, set()).add(dest.subset)
    return out


def subset_is_whole_host(host: str, subset: str, vs: Resource, mesh) -> bool:
    """Whether one subset selects every known workload behind the host, so routing to it
    or to the plain host reaches the same pods."""
    workloads = backing_workloads(mesh, host, vs.namespace)
    if not workloads:
        return False
    for dr in mesh.destination_rules_for(host, vs.namespace):
        labels = subset_labels(dr, subset)
        if labels is not None:
            return len(selected_by(labels, workloads, mesh)) == len(workloads)
    return False


class IngressRouteBypassesSubsets(Rule):
    """A gateway route to a host ignores the subsets a mesh VirtualService routes it to.

    ## What it does
    For a VirtualService bound to a gateway, finds HTTP route destinations without a
    `subset` whose host has a mesh VirtualService (one without `gateways`, or listing
    `mesh`) that routes the host to subsets. Gateways apply only the VirtualServices
    bound to them, so traffic entering through the gateway is balanced over every pod of
    the host instead. Not reported when the mesh VirtualService routes to a single subset
    that selects every workload of the host in the analyzed files (the same pods either
    way), which is the case of the Bookinfo sample.

    ## Why it matters
    Version routing, canaries and pinning configured for the host silently do not apply to
    ingress traffic: external users can reach versions the mesh routing keeps away.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - route:
        - destination: {host: ratings, subset: v1}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings-ingress
    spec:
      hosts: [ratings.example.com]
      gateways: [istio-system/public]
      http:
      - route:
        - destination:
            host: ratings  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - route:
        - destination: {host: ratings, subset: v1}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings-ingress
    spec:
      hosts: [ratings.example.com]
      gateways: [istio-system/public]
      http:
      - route:
        - destination: {host: ratings, subset: v1}
    ```
    """

    id = "ML113"
    name = "vs-ingress-route-bypasses-subsets"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = (
        "VirtualService",
        "DestinationRule",
        "Service",
        "ServiceEntry",
        "Node",
        *WORKLOAD_KINDS,
    )
    targets = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0140", analyzers=("virtualservice.DestinationHostAnalyzer",)
    )

    def check(self, mesh):
        by_host: dict[str, list[tuple[Resource, set[str]]]] = {}
        for vs in mesh.of_kind("VirtualService"):
            if applies_to_mesh(vs):
                for host, subsets in subset_routes(vs, mesh).items():
                    by_host.setdefault(host, []).append((vs, subsets))
        if not by_host:
            return
        bypassed: dict[str, tuple[list[tuple[str, int, Resource]], set[int]]] = {}
        for vs in mesh.of_kind("VirtualService"):
            if vs.linted and any(g != MESH for g in gateways_of(vs)):
                yield from self._check_gateway_vs(vs, by_host, bypassed, mesh)

    def _check_gateway_vs(self, vs, by_host, bypassed, mesh):
        for dest in destinations(vs, mirrors=False):
            if dest.subset or dest.path[1] != "http":
                continue
            host = mesh.fqdn(dest.host, vs.namespace)
            if host not in bypassed:
                every = _bypassed(host, by_host.get(host, ()), mesh)
                bypassed[host] = every, {id(o) for _, _, o in every}
            every, ids = bypassed[host]
            total = len(every) - (id(vs) in ids)
            if not total:
                continue
            named = [b for b in every[: MAX_NAMED + 1] if b[2] is not vs][:MAX_NAMED]
            names = ", ".join(text for text, _, _ in named)
            if total > MAX_NAMED:
                names += f" and {total - MAX_NAMED} more"
            yield self.report(
                vs,
                dest.host_path,
                f'requests through the gateway reach every pod of "{dest.host}": the subset '
                f"routing of {names} applies to mesh traffic only; route to a subset here, or "
                "bind that VirtualService to the gateway too",
                related=[
                    related_to(o, ("spec", "hosts"), f"mesh routing of {o.ref}")
                    for _, _, o in sorted(named, key=lambda b: b[1])
                ],
            )


def _bypassed(host: str, routes, mesh) -> list[tuple[str, int, Resource]]:
    """The mesh VirtualServices whose subset routing of ``host`` a gateway route without a
    subset bypasses: (how they are named, position, VirtualService), sorted by name."""
    same_pods: dict[tuple, bool] = {}  # once per (subsets, namespace)
    out = []
    for position, (other, subsets) in enumerate(routes):
        key = (frozenset(subsets), other.namespace)
        if key not in same_pods:
            same_pods[key] = _same_pods(host, subsets, other, mesh)
        if not same_pods[key]:
            out.append((f"{other.ref} (subsets {', '.join(sorted(subsets))})", position, other))
    return sorted(out, key=lambda b: b[0])


def _same_pods(host: str, subsets: set[str], vs: Resource, mesh) -> bool:
    return len(subsets) == 1 and subset_is_whole_host(host, next(iter(subsets)), vs, mesh)
