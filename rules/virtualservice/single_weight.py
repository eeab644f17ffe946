"""A route with one destination sends it all traffic, whatever its weight says."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.routes import route_lists


class SingleDestinationWeight(Rule):
    """A route has a single destination with a weight below 100.

    ## What it does
    Reports a `route` list of an `http`, `tcp` or `tls` rule that holds exactly one
    destination whose `weight` is written and lies between 0 and 99.

    ## Why it matters
    Istio sends all the traffic of a route with a single destination to it: the weight
    is ignored (a weight of 0 included). A weight below 100 usually means a canary split
    whose other half was deleted or never written, and the rollout is not happening the
    way the manifest suggests.

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
        - destination: {host: reviews, subset: v2}
          weight: 10  # <-
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

    id = "ML150"
    name = "vs-single-destination-weight"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("VirtualService",)
    equivalents = Equivalents(kiali="KIA1104")

    def check_resource(self, vs, mesh):
        for path, routes in route_lists(vs):
            if len(routes) != 1 or not isinstance(routes[0], dict):
                continue
            weight = routes[0].get("weight")
            if isinstance(weight, int) and not isinstance(weight, bool) and 0 <= weight < 100:
                yield self.report(
                    vs,
                    (*path, 0, "weight"),
                    f"the only destination of this route gets all its traffic: weight {weight} "
                    "is ignored; add the other destinations of the split or remove the weight",
                )
