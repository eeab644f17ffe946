"""VirtualService route sections must match the protocol of the ServiceEntry ports they
apply to."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import egress
from meshlint.mesh.egress import HTTP_PROTOCOLS, TLS_PROTOCOLS

ACCEPTS = {"tls": TLS_PROTOCOLS, "http": HTTP_PROTOCOLS}
WHAT = {
    "tls": "TLS routes (SNI) apply only to HTTPS and TLS ports",
    "http": "HTTP routes apply only to HTTP, HTTP2 and GRPC ports",
}


def entry_ports(mesh, host: str, namespace: str) -> list[tuple]:
    """(entry, number, protocol) of every port of the ServiceEntries for ``host``."""
    return [
        (entry, port.number, port.protocol.upper())
        for entry in mesh.services.lookup(host, namespace)
        if entry.resource.kind == "ServiceEntry"
        for port in entry.ports
        if port.number is not None and port.protocol
    ]


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
    kinds = ("VirtualService", "ServiceEntry")
    targets = ("VirtualService",)
    equivalents = Equivalents()

    def check_resource(self, vs, mesh):
        names = vs.spec.get("hosts")
        names = [h for h in names if isinstance(h, str)] if isinstance(names, list) else []
        ports = [
            p for h in names for p in entry_ports(mesh, mesh.fqdn(h, vs.namespace), vs.namespace)
        ]
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
