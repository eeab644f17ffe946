"""Durations Istio rejects: finer than a millisecond, or (where the CRD does not check
them) unparsable or below 1 ms."""

from meshlint.engine.finding import Severity
from meshlint.fieldpath import get
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.durations import duration_error
from meshlint.validation.walk import http_routes, spec_items, traffic_policies

#: Duration fields of a connection pool; True where the CRD's CEL rule already rejects
#: unparsable and sub-millisecond values (only the precision is left to check).
POOL_DURATIONS = {
    ("http", "idleTimeout"): True,
    ("tcp", "connectTimeout"): True,
    ("tcp", "maxConnectionDuration"): True,
    ("tcp", "idleTimeout"): False,
    ("tcp", "tcpKeepalive", "time"): True,
    ("tcp", "tcpKeepalive", "interval"): True,
}
POLICY_DURATIONS = {
    ("outlierDetection", "baseEjectionTime"): True,
    ("outlierDetection", "interval"): True,
    ("loadBalancer", "warmupDurationSecs"): True,
    ("loadBalancer", "warmup", "duration"): True,
    **{("connectionPool", *path): cel for path, cel in POOL_DURATIONS.items()},
}
ROUTE_DURATIONS = {
    ("timeout",): True,
    ("retries", "perTryTimeout"): True,
    ("corsPolicy", "maxAge"): True,
    ("fault", "delay", "fixedDelay"): True,
    ("fault", "delay", "exponentialDelay"): True,
}


def _blocks(resource):
    """``(path, block, fields)`` of every block with duration fields."""
    if resource.kind == "DestinationRule":
        for path, policy in traffic_policies(resource):
            yield path, policy, POLICY_DURATIONS
    elif resource.kind == "Sidecar":
        pool = resource.spec.get("inboundConnectionPool")
        yield ("spec", "inboundConnectionPool"), pool, POOL_DURATIONS
        for path, listener in spec_items(resource, "ingress"):
            yield (*path, "connectionPool"), listener.get("connectionPool"), POOL_DURATIONS
    elif resource.kind == "VirtualService":
        for path, route in http_routes(resource):
            yield path, route, ROUTE_DURATIONS
    elif resource.kind == "RequestAuthentication":
        for path, rule in spec_items(resource, "jwtRules"):
            yield path, rule, {("timeout",): True}


class DurationPrecision(SemanticRule):
    """A duration is finer than a millisecond, or not a valid duration of at least 1 ms.

    ## What it does
    Checks every duration Istio validates (timeouts, retry and outlier intervals,
    connection pool timeouts, fault delays, JWKS fetch timeouts): Istio only accepts
    whole milliseconds. The CRD's CEL rules already reject unparsable and sub-millisecond
    durations for most fields; for those without one (`connectionPool.tcp.idleTimeout`)
    this rule checks that too.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - timeout: 1500us  # <-
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
      - timeout: 2ms
        route:
        - destination: {host: reviews}
    ```
    """

    id = "ML731"
    name = "duration-precision"
    severity = Severity.ERROR
    kinds = ("DestinationRule", "Sidecar", "VirtualService", "RequestAuthentication")
    equivalents = REJECTED

    def issues(self, resource):
        for base, block, fields in _blocks(resource):
            if not isinstance(block, dict):
                continue
            for field, cel in fields.items():
                error = duration_error(get(block, field), check_minimum=not cel)
                if error:
                    yield (*base, *field), error
