"""The egress gateway pattern must be complete: Gateway, VirtualService for both `mesh`
and the Gateway, and a DestinationRule when the gateway expects mTLS."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import get
from meshlint.mesh import egress, hosts
from meshlint.mesh.egress import MESH, RouteRule
from meshlint.mesh.resolve import Resolution, Status, not_found, unknown
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource


@dataclass(slots=True)
class Server:
    """One host of an egress Gateway server."""

    gateway: Resource
    index: int
    host_index: int
    host: str
    tls_mode: str | None

    @property
    def path(self) -> tuple:
        return ("spec", "servers", self.index, "hosts", self.host_index)

    @property
    def tls_path(self) -> tuple:
        return ("spec", "servers", self.index, "tls", "mode")


@dataclass
class Routes:
    """Route rules of every VirtualService, by the gateway they apply to and host, and
    the rules that apply to sidecars."""

    by_gateway: dict = field(default_factory=dict)
    mesh: list[tuple[Resource, RouteRule]] = field(default_factory=list)

    def add(self, key, host: str, vs: Resource, rule: RouteRule) -> None:
        self.by_gateway.setdefault(key, hosts.HostIndex()).add(host, (vs, rule))

    def find(self, key, host: str) -> list[tuple[Resource, RouteRule]]:
        index = self.by_gateway.get(key)
        return index.overlapping(host) if index is not None else []


def _routes(mesh, gateways: list[Resource], services: set[str]) -> Routes:
    """The route rules bound to the egress ``gateways`` (and, when there are any, the
    mesh's) by host, and the mesh route rules that send traffic to egress ``services``."""
    wanted = {(g.namespace, g.name) for g in gateways}
    if wanted:
        wanted.add(MESH)
    routes = Routes()
    for vs in mesh.of_kind("VirtualService"):
        names = vs.spec.get("hosts")
        names = [h for h in names if isinstance(h, str) and h] if isinstance(names, list) else []
        for rule in egress.route_rules(vs):
            if rule.applies_to_mesh() and any(
                mesh.fqdn(host, vs.namespace) in services for _, host in rule.destinations
            ):
                routes.mesh.append((vs, rule))
            for key in rule.gateways & wanted:
                for host in names:
                    routes.add(key, mesh.fqdn(host, vs.namespace), vs, rule)
    return routes


def _servers(gateway) -> Iterator[Server]:
    servers = gateway.spec.get("servers")
    for i, server in enumerate(servers if isinstance(servers, list) else []):
        if not isinstance(server, dict):
            continue
        mode = get(server, ("tls", "mode"))
        names = server.get("hosts")
        for j, text in enumerate(names if isinstance(names, list) else []):
            if isinstance(text, str):
                host = egress.split_namespaced(text)[1]
                if host:
                    yield Server(gateway, i, j, host, mode if isinstance(mode, str) else None)


def _mutual_settings(dr) -> list[dict]:
    """Every TLS block of a DestinationRule set to ISTIO_MUTUAL (top level, ports,
    subsets)."""
    blocks = [get(dr.body, ("spec", "trafficPolicy", "tls"))]
    ports = get(dr.body, ("spec", "trafficPolicy", "portLevelSettings"))
    blocks += [get(p, ("tls",)) for p in ports] if isinstance(ports, list) else []
    subsets = dr.spec.get("subsets")
    for subset in subsets if isinstance(subsets, list) else []:
        blocks.append(get(subset, ("trafficPolicy", "tls")))
        ports = get(subset, ("trafficPolicy", "portLevelSettings"))
        blocks += [get(p, ("tls",)) for p in ports] if isinstance(ports, list) else []
    return [b for b in blocks if isinstance(b, dict) and b.get("mode") == "ISTIO_MUTUAL"]


def _bound_evidence(routes: Routes, key, ref: str, mesh) -> Resolution:
    """Not found when the inputs bind some VirtualService to the gateway (they hold its
    routes); unknown otherwise."""
    if mesh.settings.assume_complete or key in routes.by_gateway:
        return not_found()
    return unknown(f"no VirtualServices bound to gateway {ref} among the inputs")


def _unknown_destination(rule: RouteRule, vs: Resource, served: str, mesh) -> bool:
    """Whether a destination of the rule, other than the ``served`` host itself, is a host
    meshlint cannot resolve (it may be the egress gateway's Service, defined elsewhere)."""
    for _, host in rule.destinations:
        fqdn = mesh.fqdn(host, vs.namespace)
        if fqdn != served and mesh.resolve_host(fqdn, vs.namespace).status is Status.UNKNOWN:
            return True
    return False


class EgressGatewayIncomplete(Rule):
    """The egress gateway pattern for a host is missing a piece.

    ## What it does
    Routing a host through the egress gateway takes four pieces. meshlint starts from
    each Gateway on the egress gateway (selector `istio: egressgateway` by default; the
    rule parameter `egress-gateway-labels` changes it) and from each VirtualService route
    that sends mesh traffic to the egress gateway's Service, and names the piece missing:

    - a VirtualService bound to the Gateway for the host, routing it to the host;
    - the same host bound to `mesh`, routing sidecar traffic to the egress gateway Service
      (not straight to the host, which bypasses the gateway);
    - a Gateway on the egress gateway serving every host that mesh routes send there;
    - when the Gateway server expects `ISTIO_MUTUAL`, a DestinationRule for the egress
      gateway Service that sends ISTIO_MUTUAL with `sni` set to the host.

    The ServiceEntry for the host is reported by `external-host-not-in-registry` (on the
    Gateway's host) and `vs-destination-host-not-found` (on the route).

    A piece is reported missing only when the inputs hold the place it would be in: a
    VirtualService bound to the Gateway (for another host) for the first, an egress
    Gateway for the third; a mesh route to a host meshlint cannot resolve (perhaps the
    egress gateway's Service, defined elsewhere) is not called a bypass.

    ## Why it matters
    An incomplete pattern either fails (the gateway has no route for the host, or refuses
    the connection) or, worse, works while bypassing the egress gateway: the traffic
    leaves from every node instead of through the audited, policy-enforcing exit.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: istio-egressgateway
    spec:
      selector:
        istio: egressgateway
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - edition.cnn.com
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: cnn-through-egress
    spec:
      hosts: [edition.cnn.com]
      gateways:  # <-
      - istio-egressgateway
      http:
      - route:
        - destination:
            host: edition.cnn.com
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: istio-egressgateway
    spec:
      selector:
        istio: egressgateway
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts:
        - edition.cnn.com
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: cnn-through-egress
    spec:
      hosts: [edition.cnn.com]
      gateways:
      - mesh
      - istio-egressgateway
      http:
      - match:
        - gateways: [mesh]
          port: 80
        route:
        - destination:
            host: istio-egressgateway.istio-system.svc.cluster.local
            port: {number: 80}
      - match:
        - gateways: [istio-egressgateway]
          port: 80
        route:
        - destination:
            host: edition.cnn.com
            port: {number: 80}
    ```
    """

    id = "ML481"
    name = "egress-gateway-incomplete"
    severity = Severity.WARNING
    category = "reference"
    kinds = (
        "Gateway",
        "VirtualService",
        "DestinationRule",
        "Service",
        "ServiceEntry",
        *WORKLOAD_KINDS,
    )
    targets = ("Gateway", "VirtualService")
    equivalents = Equivalents()
    parameters = {"egress-gateway-labels": dict(egress.EGRESS_LABELS)}

    def check(self, mesh):
        labels = self.params["egress-gateway-labels"]
        gateways = egress.egress_gateways(mesh, labels)
        if not gateways and not mesh.settings.assume_complete:
            return  # with no egress Gateway among the inputs, only a complete mesh can miss one
        services = egress.egress_service_hosts(mesh, labels)
        if not gateways and not services:
            return
        routes = _routes(mesh, gateways, services)
        served = hosts.HostIndex()
        for gateway in gateways:
            for server in _servers(gateway):
                served.add(server.host, server)
                if gateway.linted and server.host != "*":
                    yield from self._check_server(server, routes, services, mesh)
        if mesh.settings.assume_complete or gateways:  # egress Gateways among the inputs
            yield from self._check_mesh_routes(routes, services, served, mesh)

    def _check_server(self, server: Server, routes: Routes, services: set[str], mesh):
        gateway = server.gateway
        key = (gateway.namespace, gateway.name)
        ref = f"{gateway.namespace}/{gateway.name}"
        bound = routes.find(key, server.host)
        if not bound:
            yield from self.unresolved(
                gateway,
                server.path,
                _bound_evidence(routes, key, ref, mesh),
                f'no VirtualService bound to gateway {ref} routes "{server.host}": the egress '
                f'gateway has no route for it; bind one to both "mesh" and {ref}',
            )
            return
        mesh_rules = routes.find(MESH, server.host)
        to_gateway = [
            (vs, rule)
            for vs, rule in mesh_rules
            if any(mesh.fqdn(h, vs.namespace) in services for _, h in rule.destinations)
        ]
        if to_gateway:
            if server.tls_mode == "ISTIO_MUTUAL":
                yield from self._check_mutual(server, to_gateway, services, mesh)
            return
        target = " or ".join(sorted(services)) or "the egress gateway Service"
        direct = [(vs, rule) for vs, rule in mesh_rules if rule.destinations]
        if direct:
            vs, rule = direct[0]
            if _unknown_destination(rule, vs, server.host, mesh):
                return  # it may be the egress gateway's Service, defined elsewhere
            yield self.report(
                vs,
                rule.destinations[0][0],
                f'sidecars send "{server.host}" straight to it, bypassing egress gateway {ref}: '
                f"route mesh traffic to {target}",
                related=[related_to(gateway, server.path, f"{gateway.ref} serves the host")],
            )
            return
        vs = bound[0][0]
        path = ("spec", "gateways") if "gateways" in vs.spec else ("spec", "hosts")
        if vs.linted:
            yield self.report(
                vs,
                path,
                f'sidecars do not send "{server.host}" to egress gateway {ref}: bind this '
                f'VirtualService to "mesh" too and route mesh traffic to {target}',
                key=True,
                related=[related_to(gateway, server.path, f"{gateway.ref} serves the host")],
            )

    def _check_mutual(self, server: Server, to_gateway, services: set[str], mesh):
        vs = to_gateway[0][0]
        rules = [
            dr for host in sorted(services) for dr in mesh.destination_rules_for(host, vs.namespace)
        ]
        settings = [block for dr in rules for block in _mutual_settings(dr)]
        if not settings:
            missing = "no DestinationRule for the egress gateway Service sends ISTIO_MUTUAL"
        elif not any(block.get("sni") == server.host for block in settings):
            missing = (
                f'no ISTIO_MUTUAL setting for the egress gateway Service has sni "{server.host}"'
            )
        else:
            return
        yield self.report(
            server.gateway,
            server.tls_path,
            f'the server expects ISTIO_MUTUAL from sidecars for "{server.host}", but {missing}: '
            "the gateway cannot match the connection to this server",
            related=[related_to(dr, ("spec", "host")) for dr in rules],
        )

    def _check_mesh_routes(self, routes: Routes, services: set[str], served, mesh):
        """Mesh routes to the egress gateway for a host no egress Gateway serves."""
        for vs, rule in routes.mesh:
            if not vs.linted:
                continue
            names = vs.spec.get("hosts")
            names = [str(h) for h in names] if isinstance(names, list) else []
            for path, host in rule.destinations:
                if mesh.fqdn(host, vs.namespace) not in services:
                    continue
                for name in names:
                    fqdn = mesh.fqdn(name, vs.namespace)
                    if not egress.is_external(fqdn, mesh) or served.overlapping(fqdn):
                        continue
                    yield self.report(
                        vs,
                        path,
                        f'routes "{name}" to the egress gateway, but no Gateway on the egress '
                        f'gateway serves "{name}": it has no listener for the host',
                    )
