"""Gateway API routes must send traffic to Services that exist and that they may use."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.gatewayapi import (
    CORE,
    GATEWAY_API,
    ROUTE_KINDS,
    MissingNames,
    backend_refs,
    grant_sources,
    grants_reference,
    is_service,
    parent_refs,
    resolve_in_namespace,
)
from meshlint.mesh.resolve import not_found
from meshlint.mesh.services import as_int


def service_ports(service) -> list[int]:
    ports = service.spec.get("ports")
    return [
        n
        for p in (ports if isinstance(ports, list) else ())
        if isinstance(p, dict) and (n := as_int(p.get("port"))) is not None
    ]


class RouteBackendNotFound(Rule):
    """A Gateway API route refers to a Service or Service port that does not exist.

    ## What it does
    Checks each `backendRefs` entry of kind Service (the default) of HTTPRoutes,
    GRPCRoutes, TCPRoutes, TLSRoutes and UDPRoutes, and each `parentRefs` entry of kind
    Service (GAMMA routes for the mesh): the Service of that name in the entry's
    namespace (the route's by default) must exist and have the entry's `port`. A name
    with a dot is reported, as in Kiali: refs take a Service name and a namespace, not a
    hostname. A missing Service is reported only when the inputs hold another Service
    of its namespace, unless `--assume-complete` is given.

    ## Why it matters
    A backend that does not resolve makes the route answer 500 for the share of traffic
    it carries (`ResolvedRefs: False`, reason `BackendNotFound`); a missing parent Service
    leaves the mesh route unattached, so the traffic it should shape goes straight to the
    Service.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: shop
    spec:
      selector: {app: shop}
      ports:
      - {name: http, port: 8080}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
    spec:
      parentRefs:
      - name: public
      rules:
      - backendRefs:
        - name: shop
          port: 80  # <-
        - name: shop-v2  # <-
          port: 8080
        - name: shop.default.svc.cluster.local  # <-
          port: 8080
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: shop
    spec:
      selector: {app: shop}
      ports:
      - {name: http, port: 8080}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
    spec:
      parentRefs:
      - name: public
      rules:
      - backendRefs:
        - name: shop
          port: 8080
    ```
    """

    id = "ML852"
    name = "gwapi-route-backend-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = (*ROUTE_KINDS, "Service")
    targets = ROUTE_KINDS
    equivalents = Equivalents(kiali="KIA1402")

    def check(self, mesh):
        names = MissingNames(mesh.of_kind("Service"))
        for route in mesh.of_kind(*ROUTE_KINDS, group=GATEWAY_API):
            if route.linted:
                yield from self._check_route(route, names, mesh)

    def _check_route(self, route, names, mesh):
        refs = [*(p for p in parent_refs(route) if is_service(p)), *backend_refs(route)]
        for ref in refs:
            if not is_service(ref):
                continue
            if "." in ref.name:
                yield self.report(
                    route,
                    (*ref.path, "name"),
                    f'"{ref.name}" is not a Service name: refs name a Service and its '
                    "namespace, not a hostname",
                )
                continue
            service = mesh.get(CORE, "Service", ref.namespace, ref.name)
            if service is None:
                message = f'Service "{ref.name}" of namespace {ref.namespace} does not exist'
                resolution = resolve_in_namespace(mesh, None, "Service", ref.namespace)
                if resolution.missing or mesh.settings.report_unknown:
                    message += names.hint(ref.namespace, ref.name)
                yield from self.unresolved(route, (*ref.path, "name"), resolution, message)
                continue
            ports = service_ports(service)
            if ref.port is not None and ref.port not in ports:
                yield self.report(
                    route,
                    (*ref.path, "port"),
                    f"{service.ref} has no port {ref.port} (it has "
                    f"{', '.join(map(str, ports)) or 'none'})",
                    related=[related_to(service, ("spec", "ports"), f"ports of {service.ref}")],
                )


class RouteBackendNotGranted(Rule):
    """A Gateway API route refers to a backend in another namespace without a
    ReferenceGrant.

    ## What it does
    For each `backendRefs` entry whose `namespace` differs from the route's, looks for a
    ReferenceGrant in the backend's namespace whose `from` names the route's kind and
    namespace and whose `to` names the backend's group and kind (and its name, when the
    grant names one). When the inputs hold no ReferenceGrant of the backend's namespace,
    its grants cannot be seen and nothing is reported unless `--assume-complete` is given.
    Parent Services of GAMMA routes need no grant and are not checked.

    ## Why it matters
    Without a grant the backend is refused (`ResolvedRefs: False`, reason
    `RefNotPermitted`) and its share of the traffic gets 500s. Grants are owned by the
    backend's namespace on purpose, so they are easy to forget when a route moves.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: catalog
      namespace: catalog
    spec:
      selector: {app: catalog}
      ports:
      - {name: http, port: 8080}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
      namespace: shop
    spec:
      parentRefs:
      - name: public
      rules:
      - backendRefs:
        - name: catalog
          namespace: catalog  # <-
          port: 8080
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: catalog
      namespace: catalog
    spec:
      selector: {app: catalog}
      ports:
      - {name: http, port: 8080}
    ---
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata:
      name: shop-routes
      namespace: catalog
    spec:
      from:
      - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}
      to:
      - {group: "", kind: Service, name: catalog}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: shop
      namespace: shop
    spec:
      parentRefs:
      - name: public
      rules:
      - backendRefs:
        - name: catalog
          namespace: catalog
          port: 8080
    ```
    """

    id = "ML853"
    name = "gwapi-route-backend-not-granted"
    severity = Severity.ERROR
    category = "security"
    kinds = (*ROUTE_KINDS, "ReferenceGrant", "Service")
    targets = ROUTE_KINDS
    equivalents = Equivalents(kiali="KIA1402")

    def check(self, mesh):
        grants: dict[tuple[str, str, str], list] = {}
        for grant in mesh.of_kind("ReferenceGrant", group=GATEWAY_API):
            for kind, namespace in grant_sources(grant):
                grants.setdefault((grant.namespace, kind, namespace), []).append(grant)
        for route in mesh.of_kind(*ROUTE_KINDS, group=GATEWAY_API):
            if route.linted:
                yield from self._check_route(route, grants, mesh)

    def _check_route(self, route, grants, mesh):
        for ref in backend_refs(route):
            if ref.namespace == route.namespace:
                continue
            candidates = grants.get((ref.namespace, route.kind, route.namespace), ())
            if any(grants_reference(g, route, ref) for g in candidates):
                continue
            resolution = _grant_resolution(mesh, ref)
            kind = ref.kind if ref.group == CORE else f"{ref.kind}.{ref.group}"
            message = (
                f"no ReferenceGrant in namespace {ref.namespace} lets {route.kind}s of "
                f'namespace {route.namespace} use {kind} "{ref.name}"'
            )
            yield from self.unresolved(route, (*ref.path, "namespace"), resolution, message)


def _grant_resolution(mesh, ref):
    """A missing grant is not found when the inputs hold the backend itself or another
    ReferenceGrant of its namespace (grants live beside what they share); unknown
    otherwise."""
    if mesh.get(ref.group, ref.kind, ref.namespace, ref.name) is not None:
        return not_found()
    return resolve_in_namespace(mesh, None, "ReferenceGrant", ref.namespace)
