"""Hosts the egress gateway routes to need a ServiceEntry that resolves them."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import egress
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.memo import per_list
from meshlint.mesh.workloads import WORKLOAD_KINDS


def _resolution(entry) -> str:
    value = entry.resource.spec.get("resolution")
    return str(value) if value else "NONE"


class EgressGatewayResolutionNone(Rule):
    """The egress gateway routes to a ServiceEntry host with resolution NONE.

    ## What it does
    For each VirtualService route rule that applies to a Gateway on the egress gateway
    (selector `istio: egressgateway` by default; the rule parameter
    `egress-gateway-labels` changes it), looks up each destination host among the
    ServiceEntries and reports it when they resolve it with `NONE` (also the default
    when `resolution` is absent) and list no `endpoints` nor `workloadSelector`. When
    several ServiceEntry hosts cover the destination (`*.wikipedia.org` and
    `www.wikipedia.org`), the most specific one decides, as in Istio.

    ## Why it matters
    With resolution `NONE` a proxy forwards the connection to the address it was sent
    to. Sidecars sent it to the egress gateway, so the gateway forwards to itself instead
    of the external host: the request loops or fails. The egress gateway needs `DNS` (or
    `STATIC` endpoints) to know where the host is.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: cnn
    spec:
      hosts: [edition.cnn.com]
      location: MESH_EXTERNAL
      ports:
      - {number: 80, name: http, protocol: HTTP}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: istio-egressgateway
    spec:
      selector:
        istio: egressgateway
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: [edition.cnn.com]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: cnn
    spec:
      hosts: [edition.cnn.com]
      gateways: [istio-egressgateway]
      http:
      - route:
        - destination:
            host: edition.cnn.com  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: cnn
    spec:
      hosts: [edition.cnn.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 80, name: http, protocol: HTTP}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: istio-egressgateway
    spec:
      selector:
        istio: egressgateway
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: [edition.cnn.com]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: cnn
    spec:
      hosts: [edition.cnn.com]
      gateways: [istio-egressgateway]
      http:
      - route:
        - destination:
            host: edition.cnn.com
    ```
    """

    id = "ML413"
    name = "egress-gateway-resolution-none"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("VirtualService", "ServiceEntry", "Gateway", "Service", *WORKLOAD_KINDS)
    targets = ("VirtualService",)
    equivalents = Equivalents()
    parameters = {"egress-gateway-labels": dict(egress.EGRESS_LABELS)}

    def check_resource(self, vs, mesh):
        labels = self.params["egress-gateway-labels"]
        for rule in egress.route_rules(vs):
            gateways = [
                gw
                for key in rule.gateways
                if key != egress.MESH
                and (gw := mesh.get(ISTIO_NETWORKING, "Gateway", *key)) is not None
                and egress.is_egress_gateway(gw, mesh, labels)
            ]
            if not gateways:
                continue
            for path, host in rule.destinations:
                fqdn = mesh.fqdn(host, vs.namespace)
                entry = _unresolved(mesh, mesh.services.lookup(fqdn, vs.namespace))
                if entry is not None:
                    yield self.report(
                        vs,
                        path,
                        f'egress gateway {gateways[0].qualified_name} routes to "{host}", which '
                        f"{entry.resource.ref} resolves with NONE: the gateway forwards to the "
                        "address the sidecar connected to, itself; use resolution DNS",
                        related=[related_to(entry.resource, entry.path)],
                    )


def most_specific(entries: list) -> list:
    """The entries whose host matches most specifically, as Istio picks the service for a
    host: an exact host over any wildcard, a longer wildcard over a shorter one."""
    if not entries:
        return []

    def rank(entry) -> tuple[bool, int]:
        return (not entry.host.startswith("*"), len(entry.host))

    best = max(rank(e) for e in entries)
    return [e for e in entries if rank(e) == best]


@per_list
def _unresolved(mesh, entries: list):
    """The first ServiceEntry among the most specific of a host's entries that the egress
    gateway cannot resolve: resolution NONE, without endpoints or a workload selector."""
    for entry in most_specific(entries):
        spec = entry.resource.spec
        if entry.resource.kind != "ServiceEntry" or spec.get("endpoints"):
            continue
        if spec.get("workloadSelector"):
            continue
        if _resolution(entry) == "NONE":
            return entry
    return None
