"""Gateway servers on one workload and port should not claim overlapping hosts."""

from dataclasses import dataclass
from itertools import islice

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import Path
from meshlint.mesh.hostsuffix import SuffixIndex
from meshlint.mesh.services import as_int
from meshlint.model import Resource, string_map

ISTIO_NETWORKING = "networking.istio.io"
ANY_NAMESPACE = "*"
NAMED = 5
PLAINTEXT = frozenset({"HTTP", "HTTP2", "GRPC"})


@dataclass(slots=True, eq=False)
class ServerHost:
    """One ``hosts`` entry of a Gateway server: its target namespace and DNS name."""

    gateway: Resource
    server: int
    index: int
    namespace: str
    name: str

    @property
    def path(self) -> Path:
        return ("spec", "servers", self.server, "hosts", self.index)


def server_hosts(gateway: Resource):
    """(port number, entry) for each host of each server with a port number."""
    servers = gateway.spec.get("servers")
    for i, server in enumerate(servers if isinstance(servers, list) else ()):
        if not isinstance(server, dict):
            continue
        port = server.get("port")
        number = as_int(port.get("number")) if isinstance(port, dict) else None
        entries = server.get("hosts")
        if number is None or not isinstance(entries, list):
            continue
        for k, entry in enumerate(entries):
            if not isinstance(entry, str) or not entry:
                continue
            namespace, slash, name = entry.rpartition("/")
            namespace = (gateway.namespace if namespace == "." else namespace) if slash else "*"
            yield number, ServerHost(gateway, i, k, namespace, name.lower())


def protocol(gateway: Resource, server: int) -> str:
    """The upper-cased protocol of a Gateway server ('' when unset)."""
    port = gateway.spec["servers"][server].get("port")
    return str(port.get("protocol") or "").upper() if isinstance(port, dict) else ""


class Bucket:
    """The hosts of the Gateways sharing one selector and port, indexed by target
    namespace (a host for one namespace cannot overlap a host for another). The indexes
    are built on the first query: most buckets hold no wildcard, and are never queried."""

    def __init__(self) -> None:
        self.entries: list[ServerHost] = []
        self.every = SuffixIndex()
        self.by_namespace: dict[str, SuffixIndex] = {}
        self._indexed = False

    def add(self, entry: ServerHost) -> None:
        self.entries.append(entry)

    def _index(self) -> None:
        for entry in self.entries:
            self.every.add(entry.name, entry)
            self.by_namespace.setdefault(entry.namespace, SuffixIndex()).add(entry.name, entry)
        self._indexed = True

    def overlapping(self, entry: ServerHost):
        if not self._indexed:
            self._index()
        if entry.namespace == ANY_NAMESPACE:
            yield from self.every.overlapping(entry.name)
            return
        for namespace in (entry.namespace, ANY_NAMESPACE):
            index = self.by_namespace.get(namespace)
            if index is not None:
                yield from index.overlapping(entry.name)


class GatewayServerHostOverlap(Rule):
    """Gateway servers on the same workload and port claim overlapping hosts.

    ## What it does
    Groups the servers of Istio Gateways by the Gateway's `selector` and the port number,
    as Kiali does, and compares their hosts (`namespace/` parts honoured: hosts for two
    different namespaces do not overlap). It reports:

    - the same host on the same port in two servers of one Gateway (a warning; only
      information when both servers are plain HTTP, whose routes Istio merges);
    - a wildcard host of one Gateway that overlaps a host of another (`*` overlaps every
      host, `*.example.com` overlaps `shop.example.com`): information, naming up to five
      of the other Gateways.

    The same host in two Gateways is left to `gateway-conflicting-servers`.

    ## Why it matters
    Two servers of one Gateway with the same host and port make one of them unreachable:
    Envoy cannot pick a TLS certificate or route table between them. Overlapping
    wildcards across Gateways work (the most specific host wins), but a request for a
    host someone forgot to declare is then served by whichever Gateway holds the
    wildcard, with its routes and certificate.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https-shop, protocol: HTTPS}
        hosts: [shop.example.com]
        tls: {mode: SIMPLE, credentialName: shop-cert}
      - port: {number: 443, name: https-shop-v2, protocol: HTTPS}
        hosts:
        - shop.example.com  # <-
        tls: {mode: SIMPLE, credentialName: shop-cert-v2}
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
      - port: {number: 443, name: https-shop, protocol: HTTPS}
        hosts: [shop.example.com]
        tls: {mode: SIMPLE, credentialName: shop-cert}
    ```
    """

    id = "ML250"
    name = "gateway-server-host-overlap"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Gateway",)
    equivalents = Equivalents(kiali="KIA0301")

    def check(self, mesh):
        buckets: dict[tuple, Bucket] = {}
        entries: list[tuple[tuple, ServerHost]] = []
        for gateway in mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            selector = frozenset(string_map(gateway.spec.get("selector")).items())
            seen: dict[tuple, int] = {}
            for port, entry in server_hosts(gateway):
                key = (selector, port)
                buckets.setdefault(key, Bucket()).add(entry)
                entries.append((key, entry))
                first = seen.setdefault((port, entry.namespace, entry.name), entry.server)
                if first != entry.server and gateway.linted:
                    yield self._duplicate(entry, port, first)
        for key, entry in entries:
            if entry.gateway.linted:
                yield from self._overlaps(entry, buckets[key])

    def _duplicate(self, entry: ServerHost, port: int, first: int):
        plain = {protocol(entry.gateway, i) for i in (first, entry.server)} <= PLAINTEXT
        outcome = (
            "the second one adds nothing"
            if plain
            else "Envoy cannot tell the two servers apart and uses one of them"
        )
        return self.report(
            entry.gateway,
            entry.path,
            f'host "{entry.name}" on port {port} is also served by server {first} of this '
            f"Gateway: {outcome}",
            related=[related_to(entry.gateway, ("spec", "servers", first), f"server {first}")],
            severity=Severity.INFO if plain else None,
        )

    def _overlaps(self, entry: ServerHost, bucket: Bucket):
        if not entry.name.startswith("*"):
            return
        others: dict[int, ServerHost] = {}
        candidates = (o for o in bucket.overlapping(entry) if o.gateway is not entry.gateway)
        for other in candidates:
            others.setdefault(id(other.gateway), other)
            if len(others) > NAMED:
                break
        if not others:
            return
        named = list(islice(others.values(), NAMED))
        refs = ", ".join(o.gateway.ref for o in named)
        more = " and more" if len(others) > NAMED else ""
        yield self.report(
            entry.gateway,
            entry.path,
            f'wildcard host "{entry.name}" overlaps hosts of {refs}{more} on the same '
            "gateway workload and port: requests for hosts they do not declare land here",
            related=[related_to(o.gateway, o.path, o.gateway.ref) for o in named],
            severity=Severity.INFO,
        )
