"""Gateways on the same workload must not serve the same host on the same port."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource
from meshlint.rules.gateway.selector import ISTIO_NETWORKING, selector_of


def server_keys(gateway: Resource):
    """(server index, port, bind, {host: host index}) of each server with a port number.
    Hosts are compared without their ``namespace/`` part."""
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
    equivalents = Equivalents(
        istio="IST0145", analyzers=("gateway.ConflictingGatewayAnalyzer",), kiali="KIA0301"
    )

    def check(self, mesh):
        gateways = mesh.of_kind("Gateway", group=ISTIO_NETWORKING)
        by_port: dict[tuple[int, str], list[tuple[Resource, int, dict[str, int]]]] = {}
        for gateway in gateways:
            for i, port, bind, names in server_keys(gateway):
                by_port.setdefault((port, bind), []).append((gateway, i, names))
        shared: dict[tuple[int, int], bool] = {}
        for gateway in gateways:
            if not gateway.linted:
                continue
            for i, port, bind, names in server_keys(gateway):
                conflicts = [
                    (other, j, common)
                    for other, j, other_names in by_port[(port, bind)]
                    if other is not gateway
                    and (common := sorted(names.keys() & other_names.keys()))
                    and _same_workload(gateway, other, mesh, shared)
                ]
                if conflicts:
                    yield self._report(gateway, i, port, names, conflicts)

    def _report(self, gateway, index, port, names, conflicts):
        host = min((h for _, _, common in conflicts for h in common), key=lambda h: names[h])
        refs = ", ".join(sorted({other.ref for other, _, _ in conflicts}))
        return self.report(
            gateway,
            ("spec", "servers", index, "hosts", names[host]),
            f'host "{host}" on port {port} is also served by {refs} on the same gateway '
            "workload: Envoy cannot tell the servers apart",
            related=[
                related_to(other, ("spec", "servers", j), f"server of {other.ref}")
                for other, j, _ in conflicts
            ],
        )


def _same_workload(a: Resource, b: Resource, mesh, cache: dict) -> bool:
    """Equal selectors, or a workload both select (memoized per pair)."""
    key = (min(id(a), id(b)), max(id(a), id(b)))
    if key not in cache:
        sa, sb = selector_of(a), selector_of(b)
        both = _consistent(sa, sb) and bool(mesh.workloads.matching({**sa, **sb}))
        cache[key] = sa == sb or both
    return cache[key]


def _consistent(a: dict[str, str], b: dict[str, str]) -> bool:
    return all(b.get(k, v) == v for k, v in a.items())
