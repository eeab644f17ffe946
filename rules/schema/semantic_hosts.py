"""Host names Istio rejects: DNS syntax, wildcards only as a whole first label, and the
``namespace/host`` form of Gateway servers and Sidecar egress listeners."""

from meshlint.engine.finding import Severity
from meshlint.mesh.routes import destinations
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.addresses import is_ip
from meshlint.validation.hosts import fqdn_error, namespaced_host_errors, wildcard_domain_error
from meshlint.validation.values import items, mapping
from meshlint.validation.virtual_service import bound_to_gateway, has_sni_match
from meshlint.validation.walk import enumerate_maps, spec_items, traffic_policies


def _strings(value, base):
    for i, item in enumerate(items(value)):
        if isinstance(item, str):
            yield (*base, i), item


def _vs_hosts(vs):
    sni = bound_to_gateway(vs) and has_sni_match(vs)
    for path, host in _strings(vs.spec.get("hosts"), ("spec", "hosts")):
        error = wildcard_domain_error(host, sni_gateway=sni)
        if error and not is_ip(host):
            yield path, error
    for dest in destinations(vs):
        if dest.host == "*":
            yield dest.host_path, 'destination host cannot be "*"'
        else:
            error = wildcard_domain_error(dest.host)
            if error:
                yield dest.host_path, error
    gateway = bound_to_gateway(vs)
    for rpath, route in spec_items(vs, "tls"):
        for mpath, match in enumerate_maps(route.get("match"), (*rpath, "match")):
            for path, host in _strings(match.get("sniHosts"), (*mpath, "sniHosts")):
                error = wildcard_domain_error(host, sni_gateway=gateway)
                if error and not is_ip(host):
                    yield path, error


def _namespaced(value, base, *, gateway):
    for path, host in _strings(value, base):
        for error in namespaced_host_errors(host, gateway=gateway):
            yield path, error


def _other_hosts(resource):
    spec = resource.spec
    if resource.kind == "DestinationRule":
        if isinstance(spec.get("host"), str):
            error = wildcard_domain_error(spec["host"])
            if error:
                yield ("spec", "host"), error
        for path, policy in traffic_policies(resource, port_level=False):
            target = mapping(policy.get("tunnel")).get("targetHost")
            if isinstance(target, str) and fqdn_error(target) and not is_ip(target):
                yield (
                    (*path, "tunnel", "targetHost"),
                    (f'tunnel targetHost "{target}" must be a DNS name or an IP address'),
                )
    elif resource.kind == "ServiceEntry":
        for path, host in _strings(spec.get("hosts"), ("spec", "hosts")):
            error = None if host == "*" else wildcard_domain_error(host)
            if error:
                yield path, error
    elif resource.kind == "Gateway":
        for path, server in spec_items(resource, "servers"):
            yield from _namespaced(server.get("hosts"), (*path, "hosts"), gateway=True)
    elif resource.kind == "Sidecar":
        for path, egress in spec_items(resource, "egress"):
            yield from _namespaced(egress.get("hosts"), (*path, "hosts"), gateway=False)
        policy = mapping(spec.get("outboundTrafficPolicy"))
        host = mapping(policy.get("egressProxy")).get("host")
        if policy.get("mode") == "ALLOW_ANY" and isinstance(host, str):
            error = fqdn_error(host)
            if error:
                yield ("spec", "outboundTrafficPolicy", "egressProxy", "host"), error


class HostInvalid(SemanticRule):
    """A host name is not a valid DNS name, or uses a wildcard Istio does not support.

    ## What it does
    Checks every host Istio validates: VirtualService `hosts`, route and mirror
    destinations and SNI hosts; DestinationRule `host` and tunnel target; ServiceEntry
    `hosts`; Gateway server `hosts`; Sidecar egress `hosts` and egress proxy. Names are
    DNS-1123 labels (at most 63 characters each, 255 in all, top-level domain not all
    digits); a wildcard is only allowed as the whole first label (`*.example.com`, `*`).
    Gateway and Sidecar hosts are `namespace/dnsName` with a fully qualified name
    (Gateways also accept a bare name).

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - "*/app.*.example.com"  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - "*/*.example.com"
    ```
    """

    id = "ML738"
    name = "host-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService", "DestinationRule", "ServiceEntry", "Gateway", "Sidecar")
    equivalents = REJECTED

    def issues(self, resource):
        if resource.kind == "VirtualService":
            yield from _vs_hosts(resource)
        else:
            yield from _other_hosts(resource)
