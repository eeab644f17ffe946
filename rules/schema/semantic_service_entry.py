"""ServiceEntry addresses, resolution modes and endpoints: what Istio rejects or warns
about beyond the CRD's CEL rules."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.addresses import UNIX_PREFIX, is_ip, subnet_error
from meshlint.validation.hosts import fqdn_error, partial_wildcard_error
from meshlint.validation.ports import is_http, is_tls, protocol
from meshlint.validation.values import items, mapping, text
from meshlint.validation.walk import enumerate_maps, spec_items

AUTOALLOCATE_LABEL = "networking.istio.io/enable-autoallocate-ip"
DYNAMIC_DNS_PROTOCOLS = frozenset({"HTTP", "HTTP2", "GRPC", "TLS"})


def resolution(se) -> str:
    return text(se.spec.get("resolution")) or "NONE"


def _strings(value, base):
    for i, item in enumerate(items(value)):
        if isinstance(item, str):
            yield (*base, i), item


class SEAddressInvalid(SemanticRule):
    """A ServiceEntry address is not an IP address or CIDR block.

    ## What it does
    Checks `spec.addresses`: each is an IPv4 or IPv6 address, or a CIDR block with a
    prefix length the address family allows.

    ## Why it matters
    The webhook rejects the resource, so the service is not added to the registry.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: legacy-db
    spec:
      hosts: [db.internal.example.com]
      addresses:
      - 10.0.0.0/33  # <-
      ports:
      - {number: 5432, name: tcp, protocol: TCP}
      resolution: STATIC
      endpoints:
      - address: 10.0.0.12
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: legacy-db
    spec:
      hosts: [db.internal.example.com]
      addresses:
      - 10.0.0.0/24
      ports:
      - {number: 5432, name: tcp, protocol: TCP}
      resolution: STATIC
      endpoints:
      - address: 10.0.0.12
    ```
    """

    id = "ML780"
    name = "se-address-invalid"
    severity = Severity.ERROR
    kinds = ("ServiceEntry",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, address in _strings(resource.spec.get("addresses"), ("spec", "addresses")):
            error = subnet_error(address)
            if error:
                yield path, error


class SEResolutionInvalid(SemanticRule):
    """A ServiceEntry's hosts, endpoints or ports do not fit its resolution mode.

    ## What it does
    Checks what each `resolution` requires, beyond the CRD's own rules: `STATIC`
    endpoints are IP addresses or `unix://` sockets (a Unix endpoint needs exactly one
    service port); `DNS` and `DNS_ROUND_ROBIN` without endpoints resolve the hosts
    themselves, so hosts cannot be wildcards, and endpoint addresses are IPs or DNS
    names; `DYNAMIC_DNS` needs wildcard hosts, no addresses and no endpoints, and HTTP,
    HTTP2, GRPC or TLS ports; endpoint `ports` name ports the entry declares; with
    several hosts (and a resolution other than NONE) every port is HTTP or TLS, since
    plain TCP cannot tell the hosts apart.

    ## Why it matters
    The webhook rejects the resource, so the service is not added to the registry.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: wikipedia
    spec:
      hosts:
      - "*.wikipedia.org"  # <-
      ports:
      - {number: 443, name: https, protocol: TLS}
      resolution: DNS
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: wikipedia
    spec:
      hosts:
      - "*.wikipedia.org"
      ports:
      - {number: 443, name: https, protocol: TLS}
      resolution: NONE
    ```
    """

    id = "ML781"
    name = "se-resolution-invalid"
    severity = Severity.ERROR
    kinds = ("ServiceEntry",)
    equivalents = REJECTED

    def issues(self, resource):
        spec = resource.spec
        mode = resolution(resource)
        port_names = {p.get("name") for _, p in enumerate_maps(spec.get("ports"), ())}
        endpoints = list(spec_items(resource, "endpoints"))
        hosts = list(_strings(spec.get("hosts"), ("spec", "hosts")))
        if mode == "STATIC":
            yield from self._static(endpoints, port_names)
        elif mode in ("DNS", "DNS_ROUND_ROBIN"):
            if not endpoints:
                for path, host in hosts:
                    if fqdn_error(host):
                        yield (
                            path,
                            f"with resolution {mode} and no endpoints, hosts must be "
                            "DNS names Istio can resolve (no wildcards)",
                        )
            for path, endpoint in endpoints:
                address = endpoint.get("address")
                if isinstance(address, str) and not is_ip(address) and fqdn_error(address):
                    yield (
                        (*path, "address"),
                        f'endpoint address "{address}" is not an IP address or DNS name',
                    )
        elif mode == "DYNAMIC_DNS":
            yield from self._dynamic(spec, hosts, endpoints)
        if mode in ("STATIC", "DNS", "DNS_ROUND_ROBIN"):
            for path, endpoint in endpoints:
                for name in mapping(endpoint.get("ports")):
                    if name not in port_names:
                        yield (
                            (*path, "ports", name),
                            f'port "{name}" is not a port of the ServiceEntry',
                        )
        if mode != "NONE" and len(hosts) > 1:
            for path, port in spec_items(resource, "ports"):
                name = port.get("protocol")
                if not is_http(name) and not is_tls(name):
                    yield (
                        (*path, "protocol") if "protocol" in port else path,
                        (
                            f"{text(name) or 'TCP'} cannot tell several hosts apart: use one "
                            "host per ServiceEntry, or HTTP/TLS ports"
                        ),
                    )
                    break

    def _static(self, endpoints, port_names):
        for path, endpoint in endpoints:
            address = endpoint.get("address")
            if not isinstance(address, str) or not address:
                continue
            if address.startswith(UNIX_PREFIX):
                if len(port_names) != 1:
                    yield (*path, "address"), "a unix endpoint needs exactly one service port"
            elif not is_ip(address):
                yield (
                    (*path, "address"),
                    f'endpoint address "{address}" is not an IP address (resolution STATIC)',
                )

    def _dynamic(self, spec, hosts, endpoints):
        for path, host in hosts:
            if not host.startswith("*."):
                yield path, "resolution DYNAMIC_DNS needs wildcard hosts (*.example.com)"
        if items(spec.get("addresses")):
            yield ("spec", "addresses"), "resolution DYNAMIC_DNS cannot have addresses"
        if endpoints:
            yield ("spec", "endpoints"), "resolution DYNAMIC_DNS cannot have endpoints"
        for path, port in enumerate_maps(spec.get("ports"), ("spec", "ports")):
            if protocol(port.get("protocol")) not in DYNAMIC_DNS_PROTOCOLS:
                yield (
                    (*path, "protocol") if "protocol" in port else path,
                    ("resolution DYNAMIC_DNS only supports HTTP, HTTP2, GRPC and TLS ports"),
                )


class SETCPPortWithoutAddress(SemanticRule):
    """A ServiceEntry without auto-allocated addresses has TCP ports and no addresses.

    ## What it does
    Reports TCP (or protocol-less) ports of a ServiceEntry labelled
    `networking.istio.io/enable-autoallocate-ip: "false"` that sets no `addresses`.

    ## Why it matters
    Sidecars match plain TCP traffic by destination IP. Without an address, connections
    to the service are not recognised and go through the passthrough cluster (or are
    blocked with REGISTRY_ONLY).

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: legacy-db
      labels:
        networking.istio.io/enable-autoallocate-ip: "false"
    spec:
      hosts: [db.internal.example.com]
      ports:
      - {number: 5432, name: tcp, protocol: TCP}  # <-
      resolution: DNS
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: legacy-db
      labels:
        networking.istio.io/enable-autoallocate-ip: "false"
    spec:
      hosts: [db.internal.example.com]
      addresses: [240.240.0.12]
      ports:
      - {number: 5432, name: tcp, protocol: TCP}
      resolution: DNS
    ```
    """

    id = "ML782"
    name = "se-tcp-port-without-address"
    severity = Severity.WARNING
    kinds = ("ServiceEntry",)
    equivalents = WARNED

    def issues(self, resource):
        if resource.labels.get(AUTOALLOCATE_LABEL) != "false":
            return
        if items(resource.spec.get("addresses")):
            return
        for path, port in spec_items(resource, "ports"):
            if protocol(port.get("protocol") or "TCP") == "TCP":
                yield path, "a TCP port needs addresses when IP auto-allocation is off"


class SEWorkloadSelectorIgnored(SemanticRule):
    """A ServiceEntry sets a `workloadSelector` its resolution mode ignores.

    ## What it does
    Reports a `workloadSelector` on a ServiceEntry whose `resolution` is `NONE` (the
    default), `DNS` or `DNS_ROUND_ROBIN`: only `STATIC` entries take their endpoints from
    selected workloads. Istio warns; meshlint reports it as info, because Istio's own CRD
    tests use this combination as valid configuration.

    ## Why it matters
    The selected pods and WorkloadEntries are not used as endpoints.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: vm-app
    spec:
      hosts: [app.vm.example.com]
      ports:
      - {number: 8080, name: http, protocol: HTTP}
      resolution: DNS
      workloadSelector:  # <-
        labels: {app: vm-app}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: vm-app
    spec:
      hosts: [app.vm.example.com]
      ports:
      - {number: 8080, name: http, protocol: HTTP}
      resolution: STATIC
      workloadSelector:
        labels: {app: vm-app}
    ```
    """

    id = "ML783"
    name = "se-workload-selector-ignored"
    severity = Severity.INFO
    kinds = ("ServiceEntry",)
    equivalents = WARNED

    def issues(self, resource):
        mode = resolution(resource)
        if resource.spec.get("workloadSelector") is not None and mode in (
            "NONE",
            "DNS",
            "DNS_ROUND_ROBIN",
        ):
            yield (
                ("spec", "workloadSelector"),
                (
                    f"resolution {mode} ignores workloadSelector: only STATIC uses selected "
                    "workloads as endpoints"
                ),
            )


class SEHostPartialWildcard(SemanticRule):
    """A ServiceEntry host has a wildcard that is not a whole first label.

    ## What it does
    Reports hosts such as `*api.example.com` or `api*`: Istio accepts them with a
    warning, but wildcards are only documented as `*.domain`. meshlint reports it as
    info, because Istio's own CRD tests accept such hosts.

    ## Why it matters
    Other Istio resources (Sidecar and Gateway hosts) reject partial wildcards, so the
    host cannot be selected consistently.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: apis
    spec:
      hosts:
      - "*api.example.com"  # <-
      ports:
      - {number: 443, name: tls, protocol: TLS}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: apis
    spec:
      hosts:
      - "*.api.example.com"
      ports:
      - {number: 443, name: tls, protocol: TLS}
    ```
    """

    id = "ML784"
    name = "se-host-partial-wildcard"
    severity = Severity.INFO
    kinds = ("ServiceEntry",)
    equivalents = WARNED

    def issues(self, resource):
        for path, host in _strings(resource.spec.get("hosts"), ("spec", "hosts")):
            error = partial_wildcard_error(host)
            if error:
                yield path, error
