"""VirtualService route sections must match the protocol of the ServiceEntry ports they
apply to."""

from collections.abc import Iterable

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import egress
from meshlint.mesh.egress import HTTP_PROTOCOLS, TLS_PROTOCOLS
from meshlint.mesh.memo import per_list, per_mesh

ACCEPTS = {"tls": TLS_PROTOCOLS, "http": HTTP_PROTOCOLS}
WHAT = {
    "tls": "TLS routes (SNI) apply only to HTTPS and TLS ports",
    "http": "HTTP routes apply only to HTTP, HTTP2 and GRPC ports",
}


@per_mesh
def entry_ports(mesh, host: str, namespace: str) -> list[tuple]:
    """(entry, number, protocol) of each port of the ServiceEntries for ``host``: the
    first entry that declares each (number, protocol). Memoized: a shared list."""
    shared, specific = mesh.services.lookup_parts(host, namespace)
    ports = sorted([*_shared_ports(mesh, shared), *_port_hits(specific)], key=lambda p: p[0])
    return first_of_each(port for _, port in ports)


@per_list
def _shared_ports(mesh, entries: list) -> list[tuple]:
    """For entries exported everywhere: computed once, for every namespace."""
    first: dict[tuple, tuple] = {}
    for hit in _port_hits(entries):
        first.setdefault(hit[1][1:], hit)
    return list(first.values())


def _port_hits(entries: list) -> list[tuple]:
    """((entry position, port index), (entry, number, protocol)) of each port of the
    ServiceEntries among the (position, entry) pairs."""
    return [
        ((position, index), (entry, port.number, port.protocol.upper()))
        for position, entry in entries
        if entry.resource.kind == "ServiceEntry"
        for index, port in enumerate(entry.ports)
        if port.number is not None and port.protocol
    ]


def first_of_each(ports: Iterable[tuple]) -> list[tuple]:
    """The first (entry, number, protocol) of each distinct (number, protocol), in order."""
    first: dict[tuple, tuple] = {}
    for entry, number, protocol in ports:
        first.setdefault((number, protocol), (entry, number, protocol))
    return list(first.values())


class RouteProtocolMismatch(Rule):
    """A VirtualService route section does not match the protocol of the ServiceEntry ports.

    ## What it does
    For VirtualServices that apply to sidecars (`mesh`) and whose hosts a ServiceEntry
    defines, takes each `http` and `tls` route rule that applies to `mesh` and the
    ServiceEntry ports it can apply to (those its `match[].port` names, else all of
    them). Reports the rule when none of these ports has a protocol the section handles:
    `tls` (SNI routing) needs `HTTPS` or `TLS` ports, `http` needs `HTTP`, `HTTP2` or
    `GRPC` ones.

    ## Why it matters
    Istio builds a port's listener from the ServiceEntry protocol. SNI routes on a plain
    HTTP port, or HTTP routes on a TLS port that is passed through, are never used: the
    traffic takes the default route and the retries, timeouts, splits or egress gateway
    written for it silently do not apply.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: wikipedia
    spec:
      hosts: [en.wikipedia.org]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 443, name: https, protocol: HTTPS}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: wikipedia
    spec:
      hosts: [en.wikipedia.org]
      http:
      - timeout: 5s  # <-
        route:
        - destination:
            host: en.wikipedia.org
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: wikipedia
    spec:
      hosts: [en.wikipedia.org]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 443, name: https, protocol: HTTPS}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: wikipedia
    spec:
      hosts: [en.wikipedia.org]
      tls:
      - match:
        - port: 443
          sniHosts: [en.wikipedia.org]
        route:
        - destination:
            host: en.wikipedia.org
    ```
    """

    id = "ML412"
    name = "route-protocol-mismatch"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("VirtualService", "ServiceEntry", "Service")
    targets = ("VirtualService",)
    equivalents = Equivalents()

    def check_resource(self, vs, mesh):
        names = vs.spec.get("hosts")
        names = [h for h in names if isinstance(h, str)] if isinstance(names, list) else []
        ports = first_of_each(
            p for h in names for p in entry_ports(mesh, mesh.fqdn(h, vs.namespace), vs.namespace)
        )
        if not ports:
            return
        for rule in egress.route_rules(vs):
            accepted = ACCEPTS.get(rule.section)
            if accepted is None or not rule.applies_to_mesh():
                continue
            considered = [p for p in ports if not rule.ports or p[1] in rule.ports]
            if not considered or any(protocol in accepted for _, _, protocol in considered):
                continue
            entry = considered[0][0]
            listed = ", ".join(sorted({f"{n} ({protocol})" for _, n, protocol in considered}))
            yield self.report(
                vs,
                rule.path,
                f"{WHAT[rule.section]}, but {entry.resource.ref} declares port {listed}: this "
                "rule never applies",
                related=[
                    related_to(entry.resource, ("spec", "ports"), f"{entry.resource.ref} ports")
                ],
            )
