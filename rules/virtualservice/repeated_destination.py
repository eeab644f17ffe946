"""The destinations of one route must be distinct."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.routes import route_lists


def destination_key(vs, entry: object, mesh) -> tuple | None:
    """(fully qualified host, subset, port) of a route entry's destination."""
    destination = entry.get("destination") if isinstance(entry, dict) else None
    if not isinstance(destination, dict) or not isinstance(destination.get("host"), str):
        return None
    port = destination.get("port")
    number = port.get("number") if isinstance(port, dict) else None
    subset = destination.get("subset") or None
    return mesh.fqdn(destination["host"], vs.namespace), subset, number


class RepeatedRouteDestination(Rule):
    """The same destination appears twice in one route.

    ## What it does
    Compares the destinations of each `route` list of the `http`, `tcp` and `tls` rules:
    host (fully qualified with the VirtualService's namespace), subset and port. Reports
    every destination of a repeated group, each pointing at the others, as Kiali does.

    ## Why it matters
    Envoy adds the weights of a repeated cluster together, so the split is not the one
    written: with `v1: 50, v2: 25, v1: 25` three quarters go to v1. Most often a copy-paste
    left the subset of the new version unchanged, and the canary receives no traffic.

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
        - destination: {host: reviews, subset: v1}  # <-
          weight: 80
        - destination:
            host: reviews.default.svc.cluster.local  # <-
            subset: v1
          weight: 20
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
          weight: 80
        - destination: {host: reviews, subset: v2}
          weight: 20
    ```

    ## Compared with Istio and Kiali
    - Kiali compares host and subset only; destinations with different ports are
      different clusters, which Envoy does not add up, so meshlint does not report them.
    - Kiali reads `reviews.default` as the Service reviews of namespace default; istiod
      expands only names without a dot, so it is another host (ML101 reports it).
    """

    id = "ML151"
    name = "vs-repeated-route-destination"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("VirtualService",)
    equivalents = Equivalents(kiali="KIA1105")

    def check_resource(self, vs, mesh):
        for path, routes in route_lists(vs):
            groups: dict[tuple, list[int]] = {}
            for j, entry in enumerate(routes):
                key = destination_key(vs, entry, mesh)
                if key is not None:
                    groups.setdefault(key, []).append(j)
            for (host, subset, _), members in groups.items():
                if len(members) < 2:
                    continue
                name = f'"{host}"' + (f' subset "{subset}"' if subset else "")
                for j in members:
                    others = [k for k in members if k != j]
                    yield self.report(
                        vs,
                        (*path, j, "destination", "host"),
                        f"destination {name} is also route[{', '.join(map(str, others))}] "
                        "of this route: Envoy adds up their weights; route to another "
                        "subset or merge them",
                        related=[
                            related_to(vs, (*path, k, "destination"), "same destination")
                            for k in others
                        ],
                    )
