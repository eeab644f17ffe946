"""Gateway server ports must be exposed by the gateway workload's Service."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.gateways import selected_workloads
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import WORKLOAD_KINDS


class GatewayPortNotOnService(Rule):
    """A Gateway listens on a port that no Service of its gateway workload exposes.

    ## What it does
    For each server of a Gateway whose selector matches workloads, checks that some
    Service selecting those workloads exposes the server's port, as a Service `port` or a
    numeric `targetPort` (the container port the Envoy listens on). Only TCP Service
    ports count.

    ## Why it matters
    The gateway Envoy listens, but the port is unreachable through the gateway's Service
    (its load balancer), so clients cannot connect.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port:
          number: 8081  # <-
          name: http
          protocol: HTTP
        hosts: ["*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port:
          number: 8080
          name: http
          protocol: HTTP
        hosts: ["*"]
    ```
    """

    id = "ML202"
    name = "gateway-port-not-on-service"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("Gateway", "Service", *WORKLOAD_KINDS)
    targets = ("Gateway",)
    equivalents = Equivalents(istio="IST0162", analyzers=("gateway.IngressGatewayPortAnalyzer",))

    def check_resource(self, gateway, mesh):
        if gateway.group != ISTIO_NETWORKING:
            return
        workloads = selected_workloads(gateway, mesh)
        if not workloads:
            return
        services = {
            id(entry): entry
            for w in workloads
            for entry in mesh.services_selecting(w.labels, w.namespace)
        }.values()
        exposed: set[int] = set()
        for entry in services:
            for port in entry.ports:
                if port.protocol.upper() == "TCP" and port.number is not None:
                    exposed.add(port.number)
                    target = as_int(port.target_port)
                    if target is not None:
                        exposed.add(target)
        servers = gateway.spec.get("servers")
        if not isinstance(servers, list):
            return
        for i, server in enumerate(servers):
            port = server.get("port") if isinstance(server, dict) else None
            number = as_int(port.get("number")) if isinstance(port, dict) else None
            if number is None or number in exposed:
                continue
            if services:
                refs = ", ".join(sorted(e.resource.ref for e in services))
                detail = f"{refs} expose{'s' if len(services) == 1 else ''} " + (
                    ", ".join(str(p) for p in sorted(exposed)) or "no TCP port"
                )
            else:
                detail = "no Service selects the gateway's pods"
            yield self.report(
                gateway,
                ("spec", "servers", i, "port", "number"),
                f"port {number} is not exposed by the gateway's Service ({detail})",
                related=[
                    related_to(e.resource, ("spec", "ports"), f"ports of {e.resource.ref}")
                    for e in services
                ],
            )
