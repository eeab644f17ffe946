"""Deprecated fields Istio still accepts with a warning."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import WARNED, SemanticRule
from meshlint.validation.values import is_int, mapping
from meshlint.validation.walk import http_routes, traffic_policies


class DeprecatedField(SemanticRule):
    """A deprecated field is set; use its replacement.

    ## What it does
    Reports fields Istio's webhook warns about as deprecated:
    `outlierDetection.consecutiveErrors` (use `consecutive5xxErrors` or
    `consecutiveGatewayErrors`), `consistentHash.minimumRingSize` (use
    `consistentHash.ringHash.minimumRingSize`) and VirtualService `mirrorPercent` (use
    `mirrorPercentage`).

    ## Why it matters
    Deprecated fields are removed in later API versions, and some already behave
    differently from their replacement.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        outlierDetection:
          consecutiveErrors: 5  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        outlierDetection:
          consecutive5xxErrors: 5
    ```
    """

    id = "ML760"
    name = "deprecated-traffic-setting"
    severity = Severity.WARNING
    kinds = ("DestinationRule", "VirtualService")
    equivalents = WARNED

    def issues(self, resource):
        if resource.kind == "VirtualService":
            for path, route in http_routes(resource):
                for field in ("mirrorPercent", "mirror_percent"):
                    if route.get(field) is not None:
                        yield (*path, field), f"{field} is deprecated: use mirrorPercentage"
            return
        for path, policy in traffic_policies(resource):
            errors = mapping(policy.get("outlierDetection")).get("consecutiveErrors")
            if is_int(errors) and errors != 0:
                yield (
                    (*path, "outlierDetection", "consecutiveErrors"),
                    (
                        "consecutiveErrors is deprecated: use consecutive5xxErrors or "
                        "consecutiveGatewayErrors"
                    ),
                )
            hashing = mapping(mapping(policy.get("loadBalancer")).get("consistentHash"))
            ring = hashing.get("minimumRingSize")
            if is_int(ring) and ring != 0:
                yield (
                    (*path, "loadBalancer", "consistentHash", "minimumRingSize"),
                    ("consistentHash.minimumRingSize is deprecated: use ringHash.minimumRingSize"),
                )
