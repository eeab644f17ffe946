"""A DestinationRule must not originate TLS on a ServiceEntry port that already carries
TLS."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.egress import TLS_PROTOCOLS
from meshlint.mesh.memo import per_list, per_mesh
from meshlint.mesh.mtls import TLS_MODE, port_tls_modes, tls_mode
from meshlint.mesh.routes import destinations

ORIGINATING = ("SIMPLE", "MUTUAL")


@per_mesh
def tls_ports(mesh, host: str, namespace: str) -> dict[int, tuple]:
    """Ports the ServiceEntries for ``host`` declare as HTTPS or TLS: number -> (entry,
    protocol), from the first entry (and port) declaring the number. Memoized: a shared
    dict."""
    shared, specific = mesh.services.lookup_parts(host, namespace)
    first = dict(_tls_ports(mesh, shared))
    for number, hit in _port_hits(specific).items():
        if number not in first or hit[0] < first[number][0]:
            first[number] = hit
    return {n: found for n, (_, found) in sorted(first.items(), key=lambda item: item[1][0])}


@per_list
def _tls_ports(mesh, entries: list) -> dict[int, tuple]:
    """For entries exported everywhere: computed once, for every namespace."""
    return _port_hits(entries)


def _port_hits(entries: list) -> dict[int, tuple]:
    """TLS port number -> ((entry position, port index), (entry, protocol)) of the first
    of the (position, entry) pairs declaring it."""
    out: dict[int, tuple] = {}
    for position, entry in entries:
        if entry.resource.kind != "ServiceEntry":
            continue
        for index, port in enumerate(entry.ports):
            if port.number is not None and port.protocol.upper() in TLS_PROTOCOLS:
                out.setdefault(port.number, ((position, index), (entry, port.protocol)))
    return out


def http_route_ports(mesh) -> dict[str, set[int]]:
    """Ports that HTTP routes send to, by destination host: HTTP requests routed there
    are meant to have TLS originated."""
    out: dict[str, set[int]] = {}
    for vs in mesh.of_kind("VirtualService"):
        for dest in destinations(vs):
            if dest.path[1] == "http" and dest.port is not None:
                out.setdefault(mesh.fqdn(dest.host, vs.namespace), set()).add(dest.port)
    return out


class TlsOriginationOnTlsPort(Rule):
    """A DestinationRule originates TLS on a ServiceEntry port that already carries TLS.

    ## What it does
    For a DestinationRule whose host a ServiceEntry defines, looks at every port where it
    originates TLS (`tls.mode` `SIMPLE` or `MUTUAL`, at the top level or in
    `portLevelSettings`; a port-level TLS setting replaces the top-level one for that
    port) and reports the ports the ServiceEntry declares with protocol `HTTPS` or `TLS`.
    A port that a VirtualService HTTP route sends to (`destination.port`, as in Istio's
    "TLS origination with an egress gateway" task) is skipped: plain HTTP requests reach
    it there, and those are meant to be encrypted.

    ## Why it matters
    On an `HTTPS` or `TLS` port the application already speaks TLS and the sidecar passes
    it through by SNI. Originating TLS again wraps TLS in TLS: the server cannot read the
    handshake and the connection fails. TLS origination belongs on a plain `HTTP` port
    (the application sends HTTP, the sidecar encrypts it), for example port 80 with
    `targetPort: 443`.

    ## Example
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
      - {number: 443, name: https, protocol: HTTPS}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: cnn
    spec:
      host: edition.cnn.com
      trafficPolicy:
        tls:
          mode: SIMPLE  # <-
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
      - {number: 80, name: http, protocol: HTTP, targetPort: 443}
      - {number: 443, name: https, protocol: HTTPS}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: cnn
    spec:
      host: edition.cnn.com
      trafficPolicy:
        portLevelSettings:
        - port: {number: 80}
          tls:
            mode: SIMPLE
    ```
    """

    id = "ML411"
    name = "dr-tls-origination-on-tls-port"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("DestinationRule", "ServiceEntry", "Service", "VirtualService")
    targets = ("DestinationRule",)
    equivalents = Equivalents()

    def check(self, mesh):
        routed = http_route_ports(mesh)
        for dr in mesh.of_kind("DestinationRule"):
            host = dr.spec.get("host")
            if not dr.linted or not isinstance(host, str) or not host:
                continue
            fqdn = mesh.fqdn(host, dr.namespace)
            ports = dict(tls_ports(mesh, fqdn, dr.namespace))
            for number in routed.get(fqdn, ()):
                ports.pop(number, None)
            if ports:
                yield from self._check(dr, ports)

    def _check(self, dr, ports: dict):
        levels = port_tls_modes(dr)
        for path, number, mode in levels:
            if mode in ORIGINATING and number in ports:
                yield self._report(dr, path, mode, [number], ports)
        mode = tls_mode(dr)
        if mode in ORIGINATING:
            overridden = {number for _, number, _ in levels}
            hit = sorted(n for n in ports if n not in overridden)
            if hit:
                yield self._report(dr, TLS_MODE, mode, hit, ports)

    def _report(self, dr, path, mode: str, numbers: list[int], ports: dict):
        entry, protocol = ports[numbers[0]]
        listed = ", ".join(f"{n} ({ports[n][1]})" for n in numbers)
        return self.report(
            dr,
            path,
            f"originates TLS ({mode}) on port {listed}, which {entry.resource.ref} declares as "
            f"{protocol}: the application already sends TLS there, so it is wrapped twice; "
            "originate TLS on a plain HTTP port instead",
            related=[related_to(entry.resource, entry.path, f"{entry.resource.ref} defines it")],
        )
