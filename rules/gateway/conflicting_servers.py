"""Gateways on the same workload must not serve the same host on the same port."""

import heapq

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.gateways import gateway_selector
from meshlint.mesh.groups import MAX_NAMED, UnionSizes, describe
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.memo import per_resource
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource


@per_resource
def server_keys(gateway: Resource) -> list[tuple[int, int, str, dict[str, int]]]:
    """(server index, port, bind, {host: host index}) of each server with a port number.
    Hosts are compared without their ``namespace/`` part. Memoized: a re-check after an
    edit elsewhere reads the Gateways it did not change again."""
    return list(_server_keys(gateway))


def _server_keys(gateway: Resource):
    servers = gateway.spec.get("servers")
    for i, server in enumerate(servers if isinstance(servers, list) else []):
        if not isinstance(server, dict):
            continue
        port = server.get("port")
        number = as_int(port.get("number")) if isinstance(port, dict) else None
        entries = server.get("hosts")
        if number is None or not isinstance(entries, list):
            continue
        names: dict[str, int] = {}
        for k, entry in enumerate(entries):
            names.setdefault(str(entry).rpartition("/")[2].lower(), k)
        yield i, number, str(server.get("bind") or ""), names


class ConflictingGatewayServers(Rule):
    """Two Gateways on the same workload serve the same host on the same port.

    ## What it does
    Finds pairs of Istio Gateways that apply to the same gateway workload (equal
    selectors, or selectors that both match one Pod or pod template in the analyzed
    files, including the assumed default gateways) with servers on the same port and
    `bind` address that list the same host (`namespace/` prefixes aside). Reports each
    server once, naming every Gateway it conflicts with.

    ## Why it matters
    Envoy cannot tell the two servers apart: for TLS the filter chains collide and one of
    them is dropped (or the listener is rejected), and plain HTTP routes of the two
    Gateways mix unpredictably.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - shop.example.com  # <-
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop-legacy
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - shop.example.com  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - shop.example.com
    ```
    """

    id = "ML211"
    name = "gateway-conflicting-servers"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("Gateway", *WORKLOAD_KINDS)
    targets = ("Gateway",)
    equivalents = Equivalents(
        istio="IST0145", analyzers=("gateway.ConflictingGatewayAnalyzer",), kiali="KIA0301"
    )

    def check(self, mesh):
        gateways = mesh.of_kind("Gateway", group=ISTIO_NETWORKING)
        servers = ServersByHost(gateways, mesh)
        for gateway in gateways:
            if not gateway.linted:
                continue
            for i, port, bind, names in server_keys(gateway):
                found = servers.conflicts(gateway, port, bind, names)
                if found is not None:
                    yield self._report(gateway, i, port, names, *found)

    def _report(self, gateway, index, port, names, host, named, total):
        refs = describe(sorted({id(o): o for o, _ in named}.values(), key=lambda o: o.ref), total)
        return self.report(
            gateway,
            ("spec", "servers", index, "hosts", names[host]),
            f'host "{host}" on port {port} is also served by {refs} on the same gateway '
            "workload: Envoy cannot tell the servers apart",
            related=[
                related_to(other, ("spec", "servers", j), f"server of {other.ref}")
                for other, j in named
            ],
        )


class ServersByHost:
    """Gateway servers by port, bind address, host and Gateway selector, so that a server
    is compared with groups of others (one per distinct selector), not with each."""

    def __init__(self, gateways: list[Resource], mesh) -> None:
        self.mesh = mesh
        self.selectors = {id(g): gateway_selector(g) for g in gateways}
        # (port, bind, host) -> selector -> ([(position, gateway, server index)], {ids})
        self.groups: dict[tuple, dict[tuple, tuple[list, set[int]]]] = {}
        position = 0
        for gateway in gateways:
            selector = tuple(self.selectors[id(gateway)].items())
            for i, port, bind, names in server_keys(gateway):
                for host in names:
                    by_selector = self.groups.setdefault((port, bind, host), {})
                    entries, ids = by_selector.setdefault(selector, ([], set()))
                    entries.append((position, gateway, i))
                    ids.add(id(gateway))
                position += 1
        self.sizes = UnionSizes()
        self._same: dict[tuple, bool] = {}

    def conflicts(self, gateway, port: int, bind: str, names: dict[str, int]):
        """The first conflicting host of a server (by its position), the first servers of
        other Gateways on the same workload that serve one of its hosts (gateway, server
        index), and how many such Gateways there are; None without conflicts."""
        selector = self.selectors[id(gateway)]
        groups = {
            host: [
                group
                for other, group in self.groups[(port, bind, host)].items()
                if self._same_workload(selector, dict(other))
            ]
            for host in names
        }
        hits = [
            h for h, gs in groups.items() if any(len(ids) > (id(gateway) in ids) for _, ids in gs)
        ]
        if not hits:
            return None
        host = min(hits, key=lambda h: names[h])
        every = [group for gs in groups.values() for group in gs]
        total = self.sizes.size(ids for _, ids in every) - 1  # the gateway itself
        named: dict[tuple[int, int], tuple[Resource, int]] = {}
        for _, other, j in heapq.merge(*(entries for entries, _ in every), key=_position):
            if other is not gateway:
                named.setdefault((id(other), j), (other, j))
                if len(named) == MAX_NAMED:
                    break
        return host, list(named.values()), total

    def _same_workload(self, a: dict[str, str], b: dict[str, str]) -> bool:
        """Equal selectors, or a workload both select (memoized per pair of selectors)."""
        key = (tuple(a.items()), tuple(b.items()))
        if key not in self._same:
            both = _consistent(a, b) and bool(self.mesh.workloads.matching({**a, **b}))
            self._same[key] = a == b or both
        return self._same[key]


def _position(entry: tuple) -> int:
    return entry[0]


def _consistent(a: dict[str, str], b: dict[str, str]) -> bool:
    return all(b.get(k, v) == v for k, v in a.items())
