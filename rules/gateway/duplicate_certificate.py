"""Gateways on the same workload and port should not serve different hosts with one
certificate."""

import heapq

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.gateways import gateway_selector
from meshlint.mesh.groups import MAX_NAMED, UnionSizes, describe
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.services import as_int
from meshlint.model import Resource


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
    (or the same `serverCertificate` and `privateKey`). Reports each TLS server of this
    Gateway once, naming the other Gateways that share its certificate (the first five,
    and how many more).

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
        users = CertificateUsers(gateways)
        for gateway in gateways:
            if gateway.linted:
                for index, tls, named, total in users.sharing(gateway):
                    yield self._report(gateway, index, tls, named, total)

    def _report(self, gateway, index, tls, named, total):
        verb = "serves" if total == 1 else "serve"
        return self.report(
            gateway,
            ("spec", "servers", index, "tls", certificate_path(tls)),
            f"{describe([o for o, _ in named], total)} {verb} other hosts on the same workload "
            "and port with the same certificate: clients reusing HTTP/2 connections get 404s",
            related=[
                related_to(o, ("spec", "servers", other_index, "tls"), o.ref)
                for o, other_index in named
            ],
        )


class CertificateUsers:
    """The TLS servers of Gateways by port and certificate, so that a Gateway is compared
    with groups of others (same port, certificate and selector), not with each of them."""

    def __init__(self, gateways: list[Resource]) -> None:
        self.servers = {id(g): list(tls_servers(g)) for g in gateways}
        self.selectors = {id(g): gateway_selector(g) for g in gateways}
        self.by_certificate: dict[tuple, list[tuple[int, int, Resource]]] = {}
        for position, gateway in enumerate(gateways):
            for index, port, _, certs in self.servers[id(gateway)]:
                for cert in certs:
                    entry = (position, index, gateway)
                    self.by_certificate.setdefault((port, cert), []).append(entry)
        self.sizes = UnionSizes()
        self._users: dict[tuple, tuple[list, set[int]]] = {}

    def users(self, selector: dict, port, cert: str) -> tuple[list, set[int]]:
        """The servers using a certificate on a port whose Gateway's selector includes
        ``selector``, in mesh order, and the ids of their Gateways."""
        key = (tuple(selector.items()), port, cert)
        if key not in self._users:
            entries = [
                e
                for e in self.by_certificate.get((port, cert), ())
                if _subset(selector, self.selectors[id(e[2])])
            ]
            self._users[key] = entries, {id(e[2]) for e in entries}
        return self._users[key]

    def sharing(self, gateway: Resource):
        """For each TLS server of ``gateway`` (index, settings) that shares a certificate
        with another Gateway on the same port: the first of the others that share it with
        this server before any other server of ``gateway`` (each with the index of its
        own server), and how many there are."""
        selector = self.selectors[id(gateway)]
        earlier: list[tuple[list, set[int]]] = []
        for index, port, tls, certs in self.servers[id(gateway)]:
            users = [self.users(selector, port, cert) for cert in sorted(certs)]
            before = self.sizes.size(ids for _, ids in earlier)
            # the first server's users include the gateway itself
            total = self.sizes.size(ids for _, ids in earlier + users) - before - (not earlier)
            named: dict[int, tuple[Resource, int]] = {}
            wanted = min(total, MAX_NAMED)
            for _, other_index, other in heapq.merge(*(u for u, _ in users), key=_position):
                if len(named) >= wanted:
                    break
                if other is gateway or any(id(other) in ids for _, ids in earlier):
                    continue
                named.setdefault(id(other), (other, other_index))
            earlier += users
            if named:
                yield index, tls, list(named.values()), total


def _subset(selector: dict[str, str], other: dict[str, str]) -> bool:
    return all(other.get(k) == v for k, v in selector.items())


def _position(entry: tuple[int, int, Resource]) -> tuple[int, int]:
    return entry[0], entry[1]
