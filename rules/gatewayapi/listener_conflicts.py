"""Gateway API listeners and addresses must be distinct, within and across Gateways."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.gatewayapi import GATEWAY_API, listeners
from meshlint.mesh.groups import Group, describe
from meshlint.model import Resource


def listener_key(listener: dict) -> tuple:
    """(port, protocol, hostname or None): what must differ between listeners."""
    hostname = listener.get("hostname")
    return (
        listener.get("port"),
        str(listener.get("protocol") or "").upper(),
        hostname.lower() if isinstance(hostname, str) and hostname else None,
    )


def listener_path(index: int, listener: dict) -> tuple:
    field = "hostname" if listener.get("hostname") else "port"
    return ("spec", "listeners", index, field)


def describe_key(key: tuple) -> str:
    port, protocol, hostname = key
    return f"{protocol} port {port} " + (f"for {hostname}" if hostname else "without a hostname")


class ListenerConflict(Rule):
    """Two listeners of one Gateway share port, protocol and hostname.

    ## What it does
    Compares the listeners of each Gateway API Gateway by port, protocol and hostname (a
    listener without a hostname matches every host) and reports every listener of a
    combination that listeners of different names share.

    ## Why it matters
    The Gateway marks both listeners `Conflicted` and serves neither: every route attached
    to them stops working, not just the duplicate.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      listeners:
      - name: http
        port: 80
        protocol: HTTP
        hostname: shop.example.com  # <-
      - name: http-shop
        port: 80
        protocol: HTTP
        hostname: shop.example.com  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      listeners:
      - {name: http, port: 80, protocol: HTTP, hostname: shop.example.com}
      - {name: http-blog, port: 80, protocol: HTTP, hostname: blog.example.com}
    ```

    ## Compared with Istio and Kiali
    - Kiali compares only listeners that both set a hostname, and compares hostnames as
      written; two listeners without a hostname conflict as well, and hostnames are
      case-insensitive, so meshlint reports those too.
    """

    id = "ML860"
    name = "gwapi-listener-conflict"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("Gateway",)
    equivalents = Equivalents(kiali="KIA1503")

    def check_resource(self, gateway, mesh):
        if gateway.group != GATEWAY_API:
            return
        groups: dict[tuple, list[tuple[int, dict, str]]] = {}
        for i, listener in listeners(gateway):
            name = str(listener.get("name") or "")
            groups.setdefault(listener_key(listener), []).append((i, listener, name))
        for key, members in groups.items():
            if len({name for _, _, name in members}) < 2:
                continue  # a repeated name is a schema error
            for i, listener, name in members:
                others = [(j, other) for j, _, other in members if other != name]
                shown = ", ".join(f'"{other}"' for _, other in others)
                yield self.report(
                    gateway,
                    listener_path(i, listener),
                    f'listener "{name}" shares {describe_key(key)} with listener {shown}: '
                    "the Gateway marks them Conflicted and serves neither",
                    related=[
                        related_to(gateway, ("spec", "listeners", j), f'listener "{other}"')
                        for j, other in others
                    ],
                )


class GatewayListenerOverlap(Rule):
    """Listeners of two Gateways claim the same hostname, port and protocol.

    ## What it does
    Indexes the listeners of every Gateway API Gateway that set a `hostname` by hostname,
    port and protocol, and reports each listener that another Gateway repeats, naming up
    to five of the others.

    ## Why it matters
    Each Gateway gets its own address. Clients reach the one DNS points at, so the routes
    attached to the other Gateway for that hostname are never used; moving DNS (or a
    second team creating a Gateway) silently switches which routes serve the traffic.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      listeners:
      - name: https
        port: 443
        protocol: HTTPS
        hostname: shop.example.com  # <-
        tls:
          certificateRefs: [{name: shop-cert}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      gatewayClassName: istio
      listeners:
      - name: https
        port: 443
        protocol: HTTPS
        hostname: shop.example.com  # <-
        tls:
          certificateRefs: [{name: shop-cert}]
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      listeners:
      - name: https
        port: 443
        protocol: HTTPS
        hostname: shop.example.com
        tls:
          certificateRefs: [{name: shop-cert}]
    ```
    """

    id = "ML861"
    name = "gwapi-gateway-listener-overlap"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Gateway",)
    equivalents = Equivalents(kiali="KIA1501")

    def check(self, mesh):
        groups: dict[tuple, Group] = {}
        uses: list[tuple[Resource, int, dict, tuple]] = []
        for gateway in mesh.of_kind("Gateway", group=GATEWAY_API):
            for i, listener in listeners(gateway):
                key = listener_key(listener)
                if key[2] is not None:
                    groups.setdefault(key, Group()).add(gateway)
                    uses.append((gateway, i, listener, key))
        reported: set[tuple[int, tuple]] = set()
        for gateway, i, listener, key in uses:
            group = groups[key]
            if len(group) < 2 or not gateway.linted or (id(gateway), key) in reported:
                continue
            reported.add((id(gateway), key))
            named, total = group.others(gateway)
            yield self.report(
                gateway,
                listener_path(i, listener),
                f"{describe(named, total)} also listen on {describe_key(key)}: clients reach "
                "only the Gateway DNS points at",
                related=[related_to(o, ("spec", "listeners"), o.ref) for o in named],
            )


class GatewayAddressConflict(Rule):
    """Two Gateways request the same address.

    ## What it does
    Indexes the `spec.addresses` of every Gateway API Gateway by type (`IPAddress` when
    unset) and value, and reports each address that another Gateway requests too, naming
    up to five of them.

    ## Why it matters
    One address can be given to one Gateway's Service only: the other Gateway is never
    programmed (`Programmed: False`, reason `AddressNotAssigned`) or, with a shared
    `Hostname` address, two Gateways fight over one Service.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      addresses:
      - value: 203.0.113.10  # <-
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: internal
    spec:
      gatewayClassName: istio
      addresses:
      - type: IPAddress
        value: 203.0.113.10  # <-
      listeners:
      - {name: http, port: 8080, protocol: HTTP}
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      addresses:
      - value: 203.0.113.10
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: internal
    spec:
      gatewayClassName: istio
      addresses:
      - value: 203.0.113.11
      listeners:
      - {name: http, port: 8080, protocol: HTTP}
    ```
    """

    id = "ML862"
    name = "gwapi-gateway-address-conflict"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Gateway",)
    equivalents = Equivalents(kiali="KIA1502")

    def check(self, mesh):
        groups: dict[tuple, Group] = {}
        uses: list[tuple[Resource, int, tuple]] = []
        for gateway in mesh.of_kind("Gateway", group=GATEWAY_API):
            addresses = gateway.spec.get("addresses")
            for i, address in enumerate(addresses if isinstance(addresses, list) else ()):
                value = address.get("value") if isinstance(address, dict) else None
                if isinstance(value, str) and value:
                    key = (str(address.get("type") or "IPAddress"), value.lower())
                    groups.setdefault(key, Group()).add(gateway)
                    uses.append((gateway, i, key))
        for gateway, i, key in uses:
            group = groups[key]
            if len(group) < 2 or not gateway.linted:
                continue
            named, total = group.others(gateway)
            yield self.report(
                gateway,
                ("spec", "addresses", i, "value"),
                f"{key[0]} {key[1]} is also requested by {describe(named, total)}: one "
                "address serves one Gateway",
                related=[related_to(o, ("spec", "addresses"), o.ref) for o in named],
            )
