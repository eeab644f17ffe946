"""TLS and TCP routes of VirtualServices."""

from meshlint.engine.finding import Severity
from meshlint.mesh.hosts import matches
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.addresses import is_ip, subnet_error
from meshlint.validation.hosts import wildcard_domain_error
from meshlint.validation.values import items
from meshlint.validation.virtual_service import bound_to_gateway
from meshlint.validation.walk import enumerate_maps, spec_items


def _sni_hosts(vs):
    for rpath, route in spec_items(vs, "tls"):
        for mpath, match in enumerate_maps(route.get("match"), (*rpath, "match")):
            for i, host in enumerate(items(match.get("sniHosts"))):
                if isinstance(host, str):
                    yield (*mpath, "sniHosts", i), host


class VSL4RouteInvalid(SemanticRule):
    """A TLS or TCP route lacks a destination or match, or matches SNI hosts it cannot serve.

    ## What it does
    Checks `tls` and `tcp` routes: each has a `route`; each TLS route has matches, each
    with `sniHosts`, and every SNI host falls within one of the VirtualService's `hosts`;
    `destinationSubnets` are IP addresses or CIDR blocks.

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: payments
    spec:
      hosts: ["*.payments.example.com"]
      gateways: [mesh]
      tls:
      - match:
        - sniHosts:
          - api.example.com  # <-
        route:
        - destination: {host: payments}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: payments
    spec:
      hosts: ["*.payments.example.com"]
      gateways: [mesh]
      tls:
      - match:
        - sniHosts:
          - api.payments.example.com
        route:
        - destination: {host: payments}
    ```
    """

    id = "ML778"
    name = "vs-l4-route-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for section in ("tls", "tcp"):
            for path, route in enumerate_maps(resource.spec.get(section), ("spec", section)):
                if not items(route.get("route")):
                    yield path, f"a {section} route needs a route destination"
                matches_ = list(enumerate_maps(route.get("match"), (*path, "match")))
                if section == "tls" and not matches_:
                    yield path, "a tls route needs at least one match"
                for mpath, match in matches_:
                    if section == "tls" and not items(match.get("sniHosts")):
                        yield mpath, "a tls match needs at least one SNI host"
                    subnets = items(match.get("destinationSubnets"))
                    for i, subnet in enumerate(subnets):
                        error = subnet_error(subnet) if isinstance(subnet, str) else None
                        if error:
                            yield (*mpath, "destinationSubnets", i), error
        yield from self._sni_outside_hosts(resource)

    def _sni_outside_hosts(self, vs):
        hosts = [h for h in items(vs.spec.get("hosts")) if isinstance(h, str)]
        gateway = bound_to_gateway(vs)
        for path, sni in _sni_hosts(vs):
            if is_ip(sni) or wildcard_domain_error(sni, sni_gateway=gateway):
                continue
            if not any(matches(host, sni) for host in hosts):
                yield (
                    path,
                    (
                        f'SNI host "{sni}" is not within the VirtualService hosts '
                        f"[{', '.join(hosts)}]"
                    ),
                )


class VSSniHostIP(SemanticRule):
    """A TLS route matches an IP address as SNI host.

    ## What it does
    Reports `tls[].match[].sniHosts` entries that are IP addresses.

    ## Why it matters
    The SNI specification forbids IP addresses, and most clients never send one: the
    match never fires. Match on `destinationSubnets` instead.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: legacy-db
    spec:
      hosts: [db.example.com]
      tls:
      - match:
        - sniHosts:
          - 10.0.0.12  # <-
        route:
        - destination: {host: db.example.com}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: legacy-db
    spec:
      hosts: [db.example.com]
      tls:
      - match:
        - sniHosts: [db.example.com]
        route:
        - destination: {host: db.example.com}
    ```
    """

    id = "ML779"
    name = "vs-sni-host-ip"
    severity = Severity.WARNING
    kinds = ("VirtualService",)
    equivalents = WARNED

    def issues(self, resource):
        gateway = bound_to_gateway(resource)
        for path, sni in _sni_hosts(resource):
            if is_ip(sni) and wildcard_domain_error(sni, sni_gateway=gateway):
                yield path, f'SNI host "{sni}" is an IP address: clients do not send IPs as SNI'
