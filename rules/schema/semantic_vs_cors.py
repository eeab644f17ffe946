"""CORS policies of VirtualService routes that Istio rejects."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.durations import SECOND, parse_duration
from meshlint.validation.headers import header_name_error
from meshlint.validation.values import items
from meshlint.validation.walk import enumerate_maps, http_routes, string_match

METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"}
)


class VSCorsInvalid(SemanticRule):
    """A CORS policy has an empty origin, an unknown method, a bad header or a sub-second maxAge.

    ## What it does
    Checks `corsPolicy` of HTTP routes: each `allowOrigins` entry is a non-empty exact,
    prefix or regex match; `allowMethods` are HTTP methods in upper case (GET, HEAD,
    POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE); `allowHeaders` and
    `exposeHeaders` are header names or `*`; `maxAge` is whole seconds (browsers read
    it in seconds).

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: api
    spec:
      hosts: [api.example.com]
      gateways: [public]
      http:
      - corsPolicy:
          allowOrigins:
          - exact: https://example.com
          allowMethods: [get, POST]  # <-
        route:
        - destination: {host: api}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: api
    spec:
      hosts: [api.example.com]
      gateways: [public]
      http:
      - corsPolicy:
          allowOrigins:
          - exact: https://example.com
          allowMethods: [GET, POST]
        route:
        - destination: {host: api}
    ```
    """

    id = "ML771"
    name = "vs-cors-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            cors = route.get("corsPolicy")
            if isinstance(cors, dict):
                yield from self._cors((*path, "corsPolicy"), cors)

    def _cors(self, base, cors):
        for path, origin in enumerate_maps(cors.get("allowOrigins"), (*base, "allowOrigins")):
            match = string_match(origin)
            if match is None or match[1] == "":
                yield path, "an allowOrigins entry needs a non-empty exact, prefix or regex"
        for i, method in enumerate(items(cors.get("allowMethods"))):
            if isinstance(method, str) and method not in METHODS:
                yield (*base, "allowMethods", i), f'"{method}" is not a supported HTTP method'
        for field in ("allowHeaders", "exposeHeaders"):
            for i, name in enumerate(items(cors.get(field))):
                error = header_name_error(name, cors=True) if isinstance(name, str) else None
                if error:
                    yield (*base, field, i), error
        max_age = cors.get("maxAge")
        nanos = parse_duration(max_age) if isinstance(max_age, str) else None
        if nanos and nanos % SECOND:
            yield (*base, "maxAge"), f'maxAge "{max_age}" must be whole seconds'
