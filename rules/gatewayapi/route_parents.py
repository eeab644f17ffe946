"""Gateway API routes must attach to Gateways and listeners that exist and accept them."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh.gatewayapi import (
    GATEWAY_API,
    ROUTE_KINDS,
    MissingNames,
    is_gateway,
    listeners,
    parent_refs,
    resolve_in_namespace,
)
from meshlint.mesh.injection import namespace_labels
from meshlint.mesh.labelselector import selector_matches
from meshlint.mesh.resolve import not_found, unknown

#: Route kinds a listener accepts when ``allowedRoutes.kinds`` is unset, by protocol.
DEFAULT_KINDS = {
    "HTTP": {"HTTPRoute", "GRPCRoute"},
    "HTTPS": {"HTTPRoute", "GRPCRoute"},
    "TLS": {"TLSRoute"},
    "TCP": {"TCPRoute"},
    "UDP": {"UDPRoute"},
}
HOSTNAME_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def candidate_listeners(gateway, ref) -> list[tuple[int, dict]]:
    """The listeners a parentRef targets: by sectionName and port when given."""
    out = []
    for i, listener in listeners(gateway):
        if ref.section is not None and listener.get("name") != ref.section:
            continue
        if ref.port is not None and listener.get("port") != ref.port:
            continue
        out.append((i, listener))
    return out


def accepted_kinds(listener: dict) -> set[str] | None:
    """The route kinds a listener accepts (None: any, for a protocol meshlint does not
    know)."""
    allowed = listener.get("allowedRoutes")
    kinds = allowed.get("kinds") if isinstance(allowed, dict) else None
    if isinstance(kinds, list) and kinds:
        return {
            str(k.get("kind"))
            for k in kinds
            if isinstance(k, dict) and str(k.get("group") or GATEWAY_API) == GATEWAY_API
        }
    protocol = str(listener.get("protocol") or "").upper()
    if protocol not in DEFAULT_KINDS:
        return None
    out = set(DEFAULT_KINDS[protocol])
    tls = listener.get("tls")
    if protocol == "TLS" and isinstance(tls, dict) and tls.get("mode") == "Terminate":
        out.add("TCPRoute")
    return out


def namespace_verdict(listener: dict, gateway, route, mesh) -> tuple[bool | None, str]:
    """Whether the listener accepts routes of the route's namespace, and why not."""
    allowed = listener.get("allowedRoutes")
    namespaces = allowed.get("namespaces") if isinstance(allowed, dict) else None
    namespaces = namespaces if isinstance(namespaces, dict) else {}
    origin = namespaces.get("from") or "Same"
    if origin == "All":
        return True, ""
    if origin == "Same":
        if route.namespace == gateway.namespace:
            return True, ""
        return False, f"accepts routes of namespace {gateway.namespace} only"
    if origin != "Selector":
        return None, ""
    selector = namespaces.get("selector") or {}
    own = {NAMESPACE_NAME_LABEL: route.namespace}  # every namespace carries its name
    labels = namespace_labels(mesh, route.namespace)
    if selector_matches(selector, {**(labels or {}), **own}):
        return True, ""
    if labels is None:
        return None, ""
    return False, f"accepts namespaces whose labels match its selector, not {route.namespace}"


def listener_verdict(listener: dict, gateway, route, mesh) -> tuple[bool | None, str]:
    """Whether a listener accepts the route (None: cannot tell), and why not."""
    kinds = accepted_kinds(listener)
    if kinds is not None and route.kind not in kinds:
        return False, f"accepts {', '.join(sorted(kinds)) or 'no route kind'}"
    verdict, reason = namespace_verdict(listener, gateway, route, mesh)
    if verdict is not True:
        return verdict, reason
    hostname = listener.get("hostname")
    names = route.spec.get("hostnames") if route.kind in HOSTNAME_KINDS else None
    names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    listener_host = hostname.lower() if isinstance(hostname, str) else ""
    if listener_host and names and not any(hosts.overlaps(listener_host, n.lower()) for n in names):
        return False, f"serves {hostname}, none of the route's hostnames"
    return True, ""


class RouteParentNotFound(Rule):
    """A Gateway API route's parentRef names a Gateway or listener that does not exist.

    ## What it does
    Resolves each `spec.parentRefs` entry of kind `Gateway` (the default) of HTTPRoutes,
    GRPCRoutes, TCPRoutes, TLSRoutes and UDPRoutes: the Gateway of that name in the
    entry's namespace (the route's by default), then the listener its `sectionName`
    names, then a listener on its `port`. A missing Gateway is reported only when
    the inputs hold another Gateway of its namespace, unless `--assume-complete` is
    given. Service parents (GAMMA mesh routes) are checked by `gwapi-route-backend-not-found`.

    ## Why it matters
    The route attaches to nothing: its status says `Accepted: False` (or nothing at all
    for a missing Gateway), and the traffic it describes keeps going wherever it went
    before, usually a 404.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: istio
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
    spec:
      parentRefs:
      - name: pubic  # <-
      - name: public
        sectionName: https  # <-
      rules:
      - backendRefs:
        - {name: shop, port: 8080}
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
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
    spec:
      parentRefs:
      - name: public
        sectionName: http
      rules:
      - backendRefs:
        - {name: shop, port: 8080}
    ```
    """

    id = "ML850"
    name = "gwapi-route-parent-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = (*ROUTE_KINDS, "Gateway")
    targets = ROUTE_KINDS
    equivalents = Equivalents(kiali="KIA1401")

    def check(self, mesh):
        names = MissingNames(mesh.of_kind("Gateway", group=GATEWAY_API))
        for route in mesh.of_kind(*ROUTE_KINDS, group=GATEWAY_API):
            if route.linted:
                yield from self._check_route(route, names, mesh)

    def _check_route(self, route, names, mesh):
        for ref in parent_refs(route):
            if not is_gateway(ref):
                continue
            gateway = mesh.get(GATEWAY_API, "Gateway", ref.namespace, ref.name)
            resolution = resolve_in_namespace(mesh, gateway, "Gateway", ref.namespace)
            if gateway is None:
                message = f'Gateway "{ref.name}" of namespace {ref.namespace} does not exist'
                if resolution.missing or mesh.settings.report_unknown:
                    message += names.hint(ref.namespace, ref.name)
                yield from self.unresolved(route, (*ref.path, "name"), resolution, message)
                continue
            yield from self._check_listener(route, ref, gateway)

    def _check_listener(self, route, ref, gateway):
        names = [str(li.get("name")) for _, li in listeners(gateway)]
        related = [related_to(gateway, ("spec", "listeners"), f"listeners of {gateway.ref}")]
        if ref.section is not None and ref.section not in names:
            yield self.report(
                route,
                (*ref.path, "sectionName"),
                f'{gateway.ref} has no listener "{ref.section}" (it has '
                f"{', '.join(names) or 'none'})" + hint(ref.section, names),
                related=related,
            )
        elif ref.port is not None and not candidate_listeners(gateway, ref):
            where = f' "{ref.section}"' if ref.section else ""
            yield self.report(
                route,
                (*ref.path, "port"),
                f"{gateway.ref} has no listener{where} on port {ref.port}",
                related=related,
            )


class RouteNotAllowed(Rule):
    """A Gateway's listeners do not accept a route attached to it.

    ## What it does
    For each parentRef of a Gateway API route that resolves to a Gateway (and listener,
    with `sectionName` or `port`), checks whether some targeted listener accepts the
    route: its `allowedRoutes.namespaces` (`Same` by default, `All`, or a `Selector`
    matched against the labels of the route's Namespace, `kubernetes.io/metadata.name`
    included), its `allowedRoutes.kinds` (by default the kinds of its protocol: HTTP and
    HTTPS take HTTPRoutes and GRPCRoutes, TLS takes TLSRoutes, TCP TCPRoutes, UDP
    UDPRoutes), and its `hostname` against the route's `hostnames`. When the route's
    Namespace object is not in the analyzed files, a `Selector` cannot be decided and
    nothing is reported unless `--assume-complete` is given. Kiali checks only the
    namespace part.

    ## Why it matters
    The Gateway ignores the route (`Accepted: False`, reason `NotAllowedByListeners` or
    `NoMatchingListenerHostname`): nothing is served, although both objects exist and
    look right side by side. Cross-namespace routes hit this most, since listeners accept
    routes of their own namespace only by default.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
      namespace: infra
    spec:
      gatewayClassName: istio
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
      namespace: shop
    spec:
      parentRefs:
      - name: public  # <-
        namespace: infra
      rules:
      - backendRefs:
        - {name: shop, port: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
      namespace: infra
    spec:
      gatewayClassName: istio
      listeners:
      - name: http
        port: 80
        protocol: HTTP
        allowedRoutes:
          namespaces: {from: All}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
      namespace: shop
    spec:
      parentRefs:
      - name: public
        namespace: infra
      rules:
      - backendRefs:
        - {name: shop, port: 8080}
    ```
    """

    id = "ML851"
    name = "gwapi-route-not-allowed"
    severity = Severity.ERROR
    category = "reference"
    kinds = (*ROUTE_KINDS, "Gateway", "Namespace")
    targets = ROUTE_KINDS
    equivalents = Equivalents(kiali="KIA1401")

    def check_resource(self, route, mesh):
        if route.group != GATEWAY_API:
            return
        for ref in parent_refs(route):
            if not is_gateway(ref):
                continue
            gateway = mesh.get(GATEWAY_API, "Gateway", ref.namespace, ref.name)
            candidates = candidate_listeners(gateway, ref) if gateway is not None else []
            if not candidates:
                continue  # a missing Gateway or listener: gwapi-route-parent-not-found
            verdicts = [(li, *listener_verdict(li, gateway, route, mesh)) for _, li in candidates]
            if any(v is True for _, v, _ in verdicts):
                continue
            if any(v is None for _, v, _ in verdicts):
                resolution = unknown(f"the labels of namespace {route.namespace} are unknown")
            else:
                resolution = not_found()
            reasons = "; ".join(
                f'listener "{li.get("name")}" {why}' for li, v, why in verdicts[:3] if why
            )
            message = f"{gateway.ref} does not accept this {route.kind}: {reasons}"
            yield from self.unresolved(
                route,
                (*ref.path, "name"),
                resolution,
                message,
                related=[related_to(gateway, ("spec", "listeners"), f"listeners of {gateway.ref}")],
            )
