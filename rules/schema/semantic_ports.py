"""Port numbers out of 1..65535 where the CRD allows them, and port names and protocols
Istio rejects."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.addresses import UNIX_PREFIX
from meshlint.validation.ports import port_error, port_name_error, protocol, protocol_error
from meshlint.validation.values import is_int, mapping, text
from meshlint.validation.walk import enumerate_maps, route_sections, spec_items, traffic_policies


def _numbers(resource):
    """``(path, number)`` of each port number Istio range-checks and the CRD does not."""
    spec = resource.spec
    if resource.kind == "Gateway":
        for path, server in spec_items(resource, "servers"):
            number = mapping(server.get("port")).get("number")
            if number != 0 or not text(server.get("bind")).startswith(UNIX_PREFIX):
                yield (*path, "port", "number"), number
    elif resource.kind == "Sidecar":
        for path, listener in spec_items(resource, "ingress"):
            yield (*path, "port", "number"), mapping(listener.get("port")).get("number")
        for path, listener in spec_items(resource, "egress"):
            number = mapping(listener.get("port")).get("number")
            if number != 0:
                yield (*path, "port", "number"), number
        proxy = mapping(mapping(spec.get("outboundTrafficPolicy")).get("egressProxy"))
        number = mapping(proxy.get("port")).get("number")
        yield ("spec", "outboundTrafficPolicy", "egressProxy", "port", "number"), number
    elif resource.kind == "VirtualService":
        yield from _vs_numbers(resource)
    elif resource.kind == "DestinationRule":
        for path, policy in traffic_policies(resource, port_level=False):
            tunnel = mapping(policy.get("tunnel"))
            yield (*path, "tunnel", "targetPort"), tunnel.get("targetPort")


def _vs_numbers(vs):
    for section, path, route in route_sections(vs):
        for mpath, match in enumerate_maps(route.get("match"), (*path, "match")):
            if match.get("port") != 0:
                yield (*mpath, "port"), match.get("port")
        for dpath, dest in enumerate_maps(route.get("route"), (*path, "route")):
            port = mapping(mapping(dest.get("destination")).get("port"))
            yield (*dpath, "destination", "port", "number"), port.get("number")
        if section != "http":
            continue
        yield (
            (*path, "mirror", "port", "number"),
            mapping(mapping(route.get("mirror")).get("port")).get("number"),
        )
        for mpath, mirror in enumerate_maps(route.get("mirrors"), (*path, "mirrors")):
            port = mapping(mapping(mirror.get("destination")).get("port"))
            yield (*mpath, "destination", "port", "number"), port.get("number")
        redirect_port = mapping(route.get("redirect")).get("port")
        if is_int(redirect_port) and redirect_port > 0:
            yield (*path, "redirect", "port"), redirect_port


class PortOutOfRange(SemanticRule):
    """A port number is outside 1..65535.

    ## What it does
    Checks the port numbers the CRD accepts as any unsigned integer but Istio range-checks:
    Gateway server ports (0 only with a `unix://` bind), Sidecar listener and egress proxy
    ports, VirtualService match, destination, mirror and redirect ports, DestinationRule
    tunnel target ports.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
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
            port: {number: 90800}  # <-
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
        - destination:
            host: reviews
            port: {number: 9080}
    ```
    """

    id = "ML739"
    name = "port-out-of-range"
    severity = Severity.ERROR
    kinds = ("Gateway", "Sidecar", "VirtualService", "DestinationRule")
    equivalents = REJECTED

    def issues(self, resource):
        for path, number in _numbers(resource):
            error = port_error(number)
            if error:
                yield path, error


def _declarations(resource):
    """``(path, port, protocol_required)`` of each declared port."""
    spec = resource.spec
    if resource.kind == "Gateway":
        for path, server in spec_items(resource, "servers"):
            if isinstance(server.get("port"), dict):
                yield (*path, "port"), server["port"], True
    elif resource.kind == "Sidecar":
        for section in ("ingress", "egress"):
            for path, listener in enumerate_maps(spec.get(section), ("spec", section)):
                if isinstance(listener.get("port"), dict):
                    yield (*path, "port"), listener["port"], False
    elif resource.kind == "ServiceEntry":
        for path, port in spec_items(resource, "ports"):
            yield path, port, False


class PortDeclarationInvalid(SemanticRule):
    """A port declares an unknown protocol, or a name that is not a DNS label.

    ## What it does
    Checks Gateway server ports, Sidecar listener ports and ServiceEntry ports: the
    protocol must be one Istio knows (HTTP, HTTPS, HTTP2, GRPC, GRPC-Web, TCP, TLS, Mongo,
    Redis, MySQL, UDP; case-insensitive; Gateways require one), and Sidecar and
    ServiceEntry port names must be DNS-1123 labels (letters, digits and `-`).

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments
    spec:
      hosts: [api.payments.example.com]
      ports:
      - number: 443
        name: https
        protocol: HTTP/2  # <-
      resolution: DNS
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments
    spec:
      hosts: [api.payments.example.com]
      ports:
      - number: 443
        name: https
        protocol: HTTPS
      resolution: DNS
    ```
    """

    id = "ML740"
    name = "port-declaration-invalid"
    severity = Severity.ERROR
    kinds = ("Gateway", "Sidecar", "ServiceEntry")
    equivalents = REJECTED

    def issues(self, resource):
        for path, port, required in _declarations(resource):
            name = port.get("name")
            checked = resource.kind == "ServiceEntry" or (resource.kind == "Sidecar" and name)
            if isinstance(name, str) and checked:
                error = port_name_error(name)
                if error:
                    yield (*path, "name"), error
            value = port.get("protocol")
            if required and isinstance(value, str) and protocol(value) is None:
                yield (*path, "protocol"), protocol_error(value) or "protocol must be set"
            elif not required:
                error = protocol_error(value)
                if error:
                    yield (*path, "protocol"), error
