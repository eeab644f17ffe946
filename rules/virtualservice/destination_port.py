"""VirtualService destination ports must be ports of the destination service."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.mesh.resolve import Resolution, not_found, unknown
from meshlint.mesh.routes import destinations


class DestinationPortNotFound(Rule):
    """A VirtualService destination names a port its Service or ServiceEntry does not have.

    ## What it does
    For each route and mirror destination with `port.number`, checks that the resolved
    Service (or ServiceEntry) declares that port.

    ## Why it matters
    Traffic routed to a port the service does not expose fails with a 503.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews
            port:
              number: 8080  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews
            port:
              number: 9080
    ```
    """

    id = "ML102"
    name = "vs-destination-port-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("VirtualService", "Service", "ServiceEntry")
    targets = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0101", analyzers=("virtualservice.DestinationHostAnalyzer",)
    )

    def check_resource(self, vs, mesh):
        for dest in destinations(vs):
            if dest.port is None:
                continue
            resolution = mesh.resolve_host(mesh.fqdn(dest.host, vs.namespace), vs.namespace)
            entries = resolution.targets
            if not entries or any(e.port(dest.port) for e in entries):
                continue
            entry = entries[0]
            ports = ", ".join(str(p.number) for p in entry.ports) or "none"
            yield from self.unresolved(
                vs,
                (*dest.path, "port", "number"),
                ports_known(entries, mesh),
                f'port {dest.port} is not a port of host "{dest.host}" '
                f"({entry.resource.ref} has {ports})",
                related=[
                    related_to(entry.resource, ("spec", "ports"), f"ports of {entry.resource.ref}")
                ],
            )


def ports_known(entries, mesh) -> Resolution:
    """Whether the ports of a host's registry entries are known: not when they all come
    from a gateway Service meshlint only assumes (its real ports may differ)."""
    if mesh.settings.assume_complete or any(e.resource.file != ASSUMED_FILE for e in entries):
        return not_found()
    return unknown("the ports of Istio's default gateway Services are assumed")


class DestinationPortRequired(Rule):
    """A VirtualService destination omits the port of a service that has several.

    ## What it does
    Reports route and mirror destinations without `port.number` whose Service or
    ServiceEntry exposes more than one port.

    ## Why it matters
    With several ports Istio cannot tell which one the route is for, and the route applies
    to none of them as intended.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}, {name: grpc, port: 9090}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}, {name: grpc, port: 9090}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews
            port: {number: 9080}
    ```
    """

    id = "ML103"
    name = "vs-destination-port-required"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("VirtualService", "Service", "ServiceEntry")
    targets = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0112", analyzers=("virtualservice.DestinationHostAnalyzer",)
    )

    def check_resource(self, vs, mesh):
        for dest in destinations(vs):
            if dest.port is not None:
                continue
            entries = mesh.resolve_host(mesh.fqdn(dest.host, vs.namespace), vs.namespace).targets
            if not entries or len(entries[0].ports) <= 1:
                continue
            entry = entries[0]
            ports = ", ".join(str(p.number) for p in entry.ports)
            yield from self.unresolved(
                vs,
                dest.host_path,
                ports_known(entries, mesh),
                f'destination "{dest.host}" needs a port: {entry.resource.ref} has ports {ports}',
                related=[
                    related_to(entry.resource, ("spec", "ports"), f"ports of {entry.resource.ref}")
                ],
            )
