"""HTTP match conditions of VirtualServices that Istio rejects."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.headers import header_name_error, is_jwt_claim
from meshlint.validation.hosts import is_dns1123_label
from meshlint.validation.values import mapping
from meshlint.validation.virtual_service import bound_to_gateway
from meshlint.validation.walk import enumerate_maps, http_routes, http_string_matches


class VSHTTPMatchInvalid(SemanticRule):
    """An HTTP match has an invalid header name, an empty prefix, or a misplaced JWT claim.

    ## What it does
    Checks each `http[].match[]`: `headers` and `withoutHeaders` keys are header names
    (letters, digits, `-`, `_`) or `@request.auth.claims.<claim>`, and claim-based keys
    only on VirtualServices bound to gateways (sidecars do not see JWT claims); `prefix`
    matches on scheme, method, authority, headers and query parameters are not empty (an
    empty `uri` prefix is fine); `sourceNamespace` is a namespace name.

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - match:
        - headers:
            "end user":  # <-
              exact: jason
        route:
        - destination: {host: reviews, subset: v2}
      - route:
        - destination: {host: reviews, subset: v1}
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
      - match:
        - headers:
            end-user:
              exact: jason
        route:
        - destination: {host: reviews, subset: v2}
      - route:
        - destination: {host: reviews, subset: v1}
    ```
    """

    id = "ML769"
    name = "vs-http-match-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        gateway = bound_to_gateway(resource)
        for path, route in http_routes(resource):
            for mpath, match in enumerate_maps(route.get("match"), (*path, "match")):
                yield from self._match(mpath, match, gateway)

    def _match(self, path, match, gateway):
        for field in ("headers", "withoutHeaders"):
            for name, block in mapping(match.get(field)).items():
                error = header_name_error(name, jwt_claims=True)
                if error is None and is_jwt_claim(name) and not gateway:
                    error = f'JWT claim routing ("{name}") only works on gateways'
                elif error is None and block is None:
                    error = f'match for header "{name}" cannot be null'
                if error:
                    yield (*path, field, name), error
        for spath, field, block in http_string_matches(match, path):
            if field != "uri" and block.get("prefix") == "":
                yield (*spath, "prefix"), f"an empty prefix match on {field} matches nothing"
        namespace = match.get("sourceNamespace")
        if isinstance(namespace, str) and namespace and not is_dns1123_label(namespace):
            yield (*path, "sourceNamespace"), f'sourceNamespace "{namespace}" is not valid'
