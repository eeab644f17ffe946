"""Gateways on the same workload and port should not serve different hosts with one
certificate."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.services import as_int
from meshlint.model import Resource
from meshlint.rules.gateway.selector import ISTIO_NETWORKING, selector_of


def certificates(tls: object) -> set[str]:
    """What identifies a TLS server's certificate: its credential names, or its
    certificate and key files."""
    if not isinstance(tls, dict):
        return set()
    names = {str(tls["credentialName"])} if tls.get("credentialName") else set()
    extra = tls.get("credentialNames")
    names |= {str(n) for n in extra if n} if isinstance(extra, list) else set()
    if names:
        return {f"credential:{n}" for n in names}
    cert, key = tls.get("serverCertificate"), tls.get("privateKey")
    return {f"files:{cert}:{key}"} if cert and key else set()


def certificate_path(tls: dict) -> str:
    for key in ("credentialName", "credentialNames", "serverCertificate"):
        if key in tls:
            return key
    return "mode"


def tls_servers(gateway: Resource):
    """(index, port number, tls settings, certificate ids) of each TLS server."""
    servers = gateway.spec.get("servers")
    for i, server in enumerate(servers if isinstance(servers, list) else []):
        if not isinstance(server, dict):
            continue
        port = server.get("port")
        number = as_int(port.get("number")) if isinstance(port, dict) else None
        certs = certificates(server.get("tls"))
        if certs:
            yield i, number, server["tls"], certs


class DuplicateCertificate(Rule):
    """Two Gateways on the same workload and port serve TLS with the same certificate.

    ## What it does
    For each pair of Istio Gateways where this Gateway's `selector` is a subset of the
    other's (so it applies to every workload the other applies to; equal selectors
    report both), finds TLS servers on the same port that use the same `credentialName`
    (or the same `serverCertificate` and `privateKey`).

    Istio's analyzer ignores the port; meshlint requires the same port, because HTTP/2
    connection reuse only happens between origins on the same port.

    ## Why it matters
    Browsers reuse an HTTP/2 connection for every host a certificate covers (connection
    coalescing). A request for a host of the other Gateway then arrives on a connection
    whose server block does not know it, and gets a 404. Serve such hosts from one
    Gateway, or give each its own certificate.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [shop.example.com]
        tls:
          mode: SIMPLE
          credentialName: wildcard-example-com  # <-
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: blog
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [blog.example.com]
        tls:
          mode: SIMPLE
          credentialName: wildcard-example-com  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: web
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [shop.example.com, blog.example.com]
        tls:
          mode: SIMPLE
          credentialName: wildcard-example-com
    ```
    """

    id = "ML210"
    name = "gateway-duplicate-certificate"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Gateway",)
    equivalents = Equivalents(istio="IST0138", analyzers=("gateway.CertificateAnalyzer",))

    def check(self, mesh):
        gateways = mesh.of_kind("Gateway", group=ISTIO_NETWORKING)
        servers = {id(g): list(tls_servers(g)) for g in gateways}
        for gateway in gateways:
            if not gateway.linted or not servers[id(gateway)]:
                continue
            selector = selector_of(gateway)
            for other in gateways:
                if other is gateway or not _subset(selector, selector_of(other)):
                    continue
                shared = _shared(servers[id(gateway)], servers[id(other)])
                if shared is not None:
                    yield self._report(gateway, other, shared)

    def _report(self, gateway, other, shared):
        index, tls, other_index = shared
        return self.report(
            gateway,
            ("spec", "servers", index, "tls", certificate_path(tls)),
            f"{other.ref} serves other hosts on the same workload and port with the same "
            "certificate: clients reusing HTTP/2 connections get 404s",
            related=[related_to(other, ("spec", "servers", other_index, "tls"), other.ref)],
        )


def _subset(selector: dict[str, str], other: dict[str, str]) -> bool:
    return all(other.get(k) == v for k, v in selector.items())


def _shared(mine: list, theirs: list) -> tuple[int, dict, int] | None:
    for index, port, tls, certs in mine:
        for other_index, other_port, _, other_certs in theirs:
            if port == other_port and certs & other_certs:
                return index, tls, other_index
    return None
