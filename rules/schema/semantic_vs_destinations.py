"""VirtualService route destinations: weights, subset names and mirror percentages."""

from meshlint.engine.finding import Severity
from meshlint.mesh.routes import destinations
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.destination_rule import subset_name_error
from meshlint.validation.values import is_int, is_number, mapping
from meshlint.validation.walk import enumerate_maps, http_routes, route_sections


class VSRouteDestinationInvalid(SemanticRule):
    """A route destination weight is negative, all weights are 0, or a subset name is invalid.

    ## What it does
    Checks the destinations of http, tcp and tls routes: weights are not negative, and a
    route with several destinations gives at least one of them a weight above 0 (they no
    longer need to add up to 100); destination and mirror `subset` names are DNS-1123
    labels.

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
      - route:  # <-
        - destination: {host: reviews, subset: v1}
          weight: 0
        - destination: {host: reviews, subset: v2}
          weight: 0
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
        - destination: {host: reviews, subset: v1}
          weight: 90
        - destination: {host: reviews, subset: v2}
          weight: 10
    ```
    """

    id = "ML767"
    name = "vs-route-destination-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for _, path, route in route_sections(resource):
            entries = list(enumerate_maps(route.get("route"), (*path, "route")))
            total = 0
            for dpath, entry in entries:
                weight = entry.get("weight")
                if is_int(weight):
                    total += weight
                    if weight < 0:
                        yield (*dpath, "weight"), f"weight {weight} must not be negative"
            if len(entries) > 1 and total == 0:
                yield (*path, "route"), "the destinations' weights add up to 0"
        for dest in destinations(resource):
            error = subset_name_error(dest.subset) if dest.subset is not None else None
            if error:
                yield (*dest.path, "subset"), error


class VSMirrorPercentageInvalid(SemanticRule):
    """A mirror percentage is outside 0..100.

    ## What it does
    Checks `mirrorPercentage.value` and `mirrors[].percentage.value` (0..100) and the
    deprecated `mirrorPercent` (at most 100) of every HTTP route.

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
      - route:
        - destination: {host: reviews, subset: v1}
        mirror: {host: reviews, subset: v2}
        mirrorPercentage:
          value: 150  # <-
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
        - destination: {host: reviews, subset: v1}
        mirror: {host: reviews, subset: v2}
        mirrorPercentage:
          value: 50
    ```
    """

    id = "ML768"
    name = "vs-mirror-percentage-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            blocks = [((*path, "mirrorPercentage"), route.get("mirrorPercentage"))]
            for mpath, mirror in enumerate_maps(route.get("mirrors"), (*path, "mirrors")):
                blocks.append(((*mpath, "percentage"), mirror.get("percentage")))
            for bpath, block in blocks:
                value = mapping(block).get("value")
                if is_number(value) and not 0 <= value <= 100:
                    yield (*bpath, "value"), f"mirror percentage {value} is not in 0..100"
            for field in ("mirrorPercent", "mirror_percent"):
                value = route.get(field)
                value = mapping(value).get("value") if isinstance(value, dict) else value
                if is_int(value) and value > 100:
                    yield (*path, field), f"{field} {value} is above 100"
