"""VirtualService route entries and mirrors must name a destination host."""

from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path
from meshlint.validation.walk import ROUTE_SECTIONS


def _has_host(destination: object) -> bool:
    return (
        isinstance(destination, dict)
        and isinstance(destination.get("host"), str)
        and bool(destination["host"].strip())
    )


def hostless(spec: dict) -> Iterator[tuple[Path, str]]:
    """(path, what is missing) of every route entry or mirror without a destination host."""
    for section in ROUTE_SECTIONS:
        rules = spec.get(section)
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict):
                continue
            routes = rule.get("route")
            for j, route in enumerate(routes if isinstance(routes, list) else []):
                path: Path = ("spec", section, i, "route", j)
                destination = route.get("destination") if isinstance(route, dict) else None
                if destination is None:
                    yield path, "route entry has no destination"
                elif not _has_host(destination):
                    yield (*path, "destination"), "destination has no host"
            if section != "http":
                continue
            if rule.get("mirror") is not None and not _has_host(rule["mirror"]):
                yield ("spec", "http", i, "mirror"), "mirror has no host"
            mirrors = rule.get("mirrors")
            for k, mirror in enumerate(mirrors if isinstance(mirrors, list) else []):
                destination = mirror.get("destination") if isinstance(mirror, dict) else None
                if not _has_host(destination):
                    yield ("spec", "http", i, "mirrors", k), "mirror has no destination host"


class RouteWithoutDestination(Rule):
    """A VirtualService route entry or mirror has no destination host.

    ## What it does
    Reports entries of `http`, `tcp` and `tls` routes without a `destination` (such as
    `- {}`), destinations without a `host`, and `mirror`/`mirrors` entries without a
    host.

    ## Why it matters
    The API server may accept the object when validation is off, but istiod cannot build
    a route to nowhere: Istio's analyzer reports the empty host as not found, and requests
    that pick the entry fail.

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
        - {}  # <-
        - destination:
            host: reviews
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
        - destination:
            host: reviews
    ```
    """

    id = "ML110"
    name = "vs-route-without-destination"
    severity = Severity.ERROR
    category = "schema"
    kinds = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0101", analyzers=("virtualservice.DestinationHostAnalyzer",)
    )

    def check_resource(self, vs, mesh):
        for path, message in hostless(vs.spec):
            yield self.report(vs, path, f"{message}: requests routed here fail")
