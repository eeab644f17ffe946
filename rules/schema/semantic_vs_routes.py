"""The shape of VirtualService routes: what each HTTP route may combine, and delegation."""

from meshlint.engine.finding import Severity
from meshlint.mesh.routes import is_delegate
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.values import items
from meshlint.validation.walk import http_routes


class VSNoRoutes(SemanticRule):
    """A VirtualService has no http, tcp or tls routes.

    ## What it does
    Reports a VirtualService whose `http`, `tcp` and `tls` lists are all missing or empty.

    ## Why it matters
    The webhook rejects the resource; it could not route anything anyway.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:  # <-
      hosts: [reviews]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: reviews}
    ```
    """

    id = "ML764"
    name = "vs-no-routes"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        spec = resource.spec
        if isinstance(resource.body.get("spec"), dict) and not any(
            items(spec.get(s)) for s in ("http", "tcp", "tls")
        ):
            yield ("spec",), "a VirtualService needs http, tcp or tls routes", True


class VSDelegateInvalid(SemanticRule):
    """A delegate VirtualService sets gateways, tls or tcp routes, or delegates again.

    ## What it does
    A VirtualService without `hosts` is a delegate: it only contributes HTTP routes to
    the root VirtualService that names it in `delegate`. Istio rejects `gateways`, `tls`
    and `tcp` on it, and a `delegate` inside its routes (delegation is one level deep).

    ## Why it matters
    The webhook rejects the resource, so the root's delegated routes have no target.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews-routes
    spec:
      gateways: [public]  # <-
      http:
      - route:
        - destination: {host: reviews}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews-routes
    spec:
      http:
      - route:
        - destination: {host: reviews}
    ```
    """

    id = "ML765"
    name = "vs-delegate-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        if not is_delegate(resource) or not isinstance(resource.body.get("spec"), dict):
            return
        for field in ("gateways", "tls", "tcp"):
            if items(resource.spec.get(field)):
                yield ("spec", field), f"a delegate VirtualService (no hosts) cannot set {field}"
        for path, route in http_routes(resource):
            if route.get("delegate") is not None:
                yield (*path, "delegate"), "a delegate VirtualService cannot delegate again"


def _conflicts(route):
    """``(field, message)`` of each conflict in a non-root HTTP route."""
    has = {f: route.get(f) is not None for f in ("redirect", "directResponse", "fault", "rewrite")}
    routes = bool(items(route.get("route")))
    if has["redirect"]:
        for field in ("route", "fault", "rewrite", "directResponse"):
            if routes if field == "route" else has[field]:
                yield field, f"an HTTP route cannot have both redirect and {field}"
    elif has["directResponse"]:
        for field in ("route", "fault", "rewrite"):
            if routes if field == "route" else has[field]:
                yield field, f"an HTTP route cannot have both directResponse and {field}"
    elif not routes and route.get("delegate") is None:
        yield None, "an HTTP route needs route, redirect, directResponse or delegate"


class VSHTTPRouteConflict(SemanticRule):
    """An HTTP route combines actions that exclude each other, or has none.

    ## What it does
    Checks each `http` route: exactly one action among `route`, `redirect`,
    `directResponse` and `delegate`; `fault` and `rewrite` only with `route`; `mirror`
    and `mirrors` not together. A root route with `delegate` sets neither `route` nor
    `redirect`.

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      http:
      - redirect: {uri: /v2}
        rewrite: {uri: /v2}  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      http:
      - redirect: {uri: /v2}
    ```
    """

    id = "ML766"
    name = "vs-http-route-conflict"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        delegate_vs = is_delegate(resource)
        for path, route in http_routes(resource):
            if route.get("delegate") is not None and not delegate_vs:
                for field in ("redirect", "route"):
                    if route.get(field) is not None:
                        yield (*path, field), f"a route with delegate cannot also set {field}"
                continue
            for field, message in _conflicts(route):
                yield ((*path, field) if field else path), message
            if route.get("mirror") is not None and items(route.get("mirrors")):
                yield (*path, "mirrors"), "an HTTP route cannot have both mirror and mirrors"
