"""A VirtualService bound to a Gateway must name a host that Gateway serves."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh.index import GATEWAY_API, ISTIO_NETWORKING
from meshlint.mesh.routes import is_internal_gateway_ref
from meshlint.model import Resource

ANY_HOST = "*"


def server_hosts(gateway: Resource, vs_namespace: str) -> list[str] | None:
    """The hosts an Istio Gateway serves to VirtualServices of ``vs_namespace``, with the
    ``namespace/host`` syntax applied (``./h``: the Gateway's namespace; ``*/h``: any).
    For a Gateway API Gateway, its listeners' hostnames; None when a listener takes every
    host."""
    if gateway.group == GATEWAY_API:
        listeners = gateway.spec.get("listeners")
        names = []
        for listener in listeners if isinstance(listeners, list) else []:
            hostname = listener.get("hostname") if isinstance(listener, dict) else None
            if not isinstance(hostname, str) or not hostname:
                return None
            names.append(hostname)
        return names
    out = []
    servers = gateway.spec.get("servers")
    for server in servers if isinstance(servers, list) else []:
        entries = server.get("hosts") if isinstance(server, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            namespace, _, host = str(entry).rpartition("/")
            namespace = gateway.namespace if namespace == "." else namespace
            if namespace in ("", "*", vs_namespace):
                out.append(host)
    return out


def serves(gateway_hosts: list[str] | None, vs_hosts: list[str]) -> bool:
    """Whether any VirtualService host falls within a gateway host (either may be a
    wildcard)."""
    if gateway_hosts is None:
        return True
    return any(hosts.overlaps(g, h) for g in gateway_hosts for h in vs_hosts)


class HostNotInGateway(Rule):
    """A VirtualService is bound to a Gateway that serves none of its hosts.

    ## What it does
    For each entry of `spec.gateways`, compares the VirtualService's `hosts` with the
    hosts of the Gateway's servers: `namespace/host` entries count only for
    VirtualServices of that namespace (`./host`: the Gateway's own namespace, `*/host`:
    any), and wildcards match either way. For a Gateway API Gateway the listeners'
    `hostname`s count, and a listener without one accepts every host. Short VirtualService
    hosts are also tried in their fully qualified form, which is how istiod reads them.

    When the Gateway itself does not exist, `vs-gateway-not-found` reports it, and this
    rule reports the unmatched hosts as well, as Istio's analyzer does.

    ## Why it matters
    The gateway only routes requests for its servers' hosts: a VirtualService whose hosts
    are all outside them never receives traffic through that gateway (404).

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: web
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*.example.com"]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.org]
      gateways:
      - web  # <-
      http:
      - route:
        - destination: {host: shop}
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
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*.example.com"]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways:
      - web
      http:
      - route:
        - destination: {host: shop}
    ```

    ## Compared with Istio and Kiali
    - istioctl also reports a Gateway named by its service-style FQDN
      (`public.istio-system.svc.cluster.local`) as missing (IST0101) with its hosts
      unmatched (IST0132): its analyzer splits gateway names only on `/`. istiod resolves
      that form, and so does meshlint (ML763 suggests `namespace/name`).
    """

    id = "ML111"
    name = "vs-host-not-in-gateway"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("VirtualService", "Gateway")
    targets = ("VirtualService",)
    equivalents = Equivalents(istio="IST0132", analyzers=("virtualservice.GatewayAnalyzer",))

    def check_resource(self, vs, mesh):
        refs = vs.spec.get("gateways")
        raw = vs.spec.get("hosts")
        vs_hosts = [str(h) for h in raw] if isinstance(raw, list) else []
        candidates = sorted({*vs_hosts, *(mesh.fqdn(h, vs.namespace) for h in vs_hosts)})
        for i, ref in enumerate(refs if isinstance(refs, list) else []):
            if not isinstance(ref, str) or ref == "mesh":
                continue
            if is_internal_gateway_ref(ref, vs.namespace, mesh):
                continue
            path = ("spec", "gateways", i)
            resolution = mesh.resolve_gateway(ref, vs.namespace)
            if resolution.missing:
                yield self.report(
                    vs,
                    path,
                    f'hosts cannot be matched against gateway "{ref}": it does not exist',
                )
                continue
            if not resolution.found:
                continue
            gateway = _preferred(resolution.targets)
            gateway_hosts = server_hosts(gateway, vs.namespace)
            if serves(gateway_hosts, candidates):
                continue
            served = ", ".join(gateway_hosts or []) or "no host"
            yield self.report(
                vs,
                path,
                f"none of the hosts {', '.join(vs_hosts) or '(none)'} is served by "
                f"{gateway.ref}, whose servers accept {served} for this namespace",
                related=[related_to(gateway, _hosts_path(gateway), f"hosts of {gateway.ref}")],
            )


def _preferred(gateways: list[Resource]) -> Resource:
    """The Istio Gateway when both an Istio and a Gateway API Gateway have the name."""
    return next((g for g in gateways if g.group == ISTIO_NETWORKING), gateways[0])


def _hosts_path(gateway: Resource) -> tuple:
    if gateway.group == GATEWAY_API:
        return ("spec", "listeners")
    return ("spec", "servers")
