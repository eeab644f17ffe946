"""Header manipulation of VirtualService routes that Istio rejects."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.headers import (
    is_authority,
    operation_name_error,
    set_name_error,
    value_error,
)
from meshlint.validation.values import mapping
from meshlint.validation.walk import enumerate_maps, header_operations, http_routes


def _operation_errors(path, op, name, value):
    check = set_name_error if op in ("request.add", "request.set") else operation_name_error
    error = check(name) if isinstance(name, str) else None
    if error is None and isinstance(value, str):
        error = value_error(value)
    return error


class VSHeaderOperationInvalid(SemanticRule):
    """A route manipulates a header Istio forbids, with a malformed value, or the authority twice.

    ## What it does
    Checks `headers` of HTTP routes and of their destinations: response headers and
    removed request headers cannot be `Host` or pseudo-headers (`:path`); added or set
    request headers can be `:authority`/`Host` (an authority rewrite) but no other
    pseudo-header; values contain no control characters and well-formed Envoy
    `%VARIABLE%` expressions (`%%` for a literal percent sign). The authority is rewritten
    in one place only (`rewrite.authority` or one header).

    ## Why it matters
    The webhook rejects the resource; without it, Envoy rejects the route configuration.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - headers:
          response:
            set:
              x-discount: "50%"  # <-
        route:
        - destination: {host: reviews}
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
      - headers:
          response:
            set:
              x-discount: "50%%"
        route:
        - destination: {host: reviews}
    ```
    """

    id = "ML770"
    name = "vs-header-operation-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            blocks = [((*path, "headers"), route.get("headers"))]
            for dpath, dest in enumerate_maps(route.get("route"), (*path, "route")):
                blocks.append(((*dpath, "headers"), dest.get("headers")))
            for bpath, headers in blocks:
                for opath, op, name, value in header_operations(headers, bpath):
                    error = _operation_errors(opath, op, name, value)
                    if error:
                        yield opath, error
            yield from self._authority(path, route)

    def _authority(self, path, route):
        current = mapping(route.get("rewrite")).get("authority") or ""
        request = mapping(mapping(route.get("headers")).get("request"))
        for op in ("set", "add"):
            for name, value in mapping(request.get(op)).items():
                if not isinstance(name, str) or not is_authority(name):
                    continue
                if current:
                    yield (
                        (*path, "headers", "request", op, name),
                        (f'the authority is already rewritten to "{current}"'),
                    )
                current = value if isinstance(value, str) else current
