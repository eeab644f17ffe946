"""Rewrites of VirtualService routes that Istio rejects."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.walk import http_routes


class VSRewriteInvalid(SemanticRule):
    """A rewrite sets both `uri` and `uriRegexRewrite`, sets nothing, or is incomplete.

    ## What it does
    Checks `rewrite` of HTTP routes: at least one of `uri`, `uriRegexRewrite` and
    `authority`; not both `uri` and `uriRegexRewrite`; a `uriRegexRewrite` with both
    `match` and `rewrite`.

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
      - rewrite:
          uri: /v2
          uriRegexRewrite:  # <-
            match: ^/v1/(.*)
            rewrite: /v2/\\1
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
      - rewrite:
          uriRegexRewrite:
            match: ^/v1/(.*)
            rewrite: /v2/\\1
        route:
        - destination: {host: reviews}
    ```
    """

    id = "ML777"
    name = "vs-rewrite-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            rewrite = route.get("rewrite")
            if not isinstance(rewrite, dict):
                continue
            base = (*path, "rewrite")
            uri = rewrite.get("uri") not in (None, "")
            regex = rewrite.get("uriRegexRewrite")
            if uri and regex is not None:
                yield (*base, "uriRegexRewrite"), "set uri or uriRegexRewrite, not both"
            elif not uri and regex is None and rewrite.get("authority") in (None, ""):
                yield base, "a rewrite must set uri, uriRegexRewrite or authority"
            if isinstance(regex, dict) and (not regex.get("match") or not regex.get("rewrite")):
                yield (*base, "uriRegexRewrite"), "uriRegexRewrite needs both match and rewrite"
