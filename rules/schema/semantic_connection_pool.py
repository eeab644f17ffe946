"""Connection pool settings Istio rejects (DestinationRules and Sidecars)."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule, below
from meshlint.validation.connection_pool import connection_pool_errors
from meshlint.validation.walk import spec_items, traffic_policies


def pools(resource):
    """``(path, pool)`` of every connection pool of a DestinationRule or Sidecar."""
    if resource.kind == "DestinationRule":
        for path, policy in traffic_policies(resource):
            yield (*path, "connectionPool"), policy.get("connectionPool")
    else:
        yield ("spec", "inboundConnectionPool"), resource.spec.get("inboundConnectionPool")
        for path, listener in spec_items(resource, "ingress"):
            yield (*path, "connectionPool"), listener.get("connectionPool")


class ConnectionPoolInvalid(SemanticRule):
    """A connection pool is empty, has negative limits, or mixes useClientProtocol and UPGRADE.

    ## What it does
    Checks `connectionPool` blocks of DestinationRule traffic policies and Sidecar inbound
    pools: at least one of `http` and `tcp`; no negative `maxConnections`,
    `http1MaxPendingRequests`, `http2MaxRequests`, `maxRequestsPerConnection`,
    `maxRetries` or `maxConcurrentStreams`; `useClientProtocol: true` is not combined
    with `h2UpgradePolicy: UPGRADE`.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        connectionPool:
          http:
            http1MaxPendingRequests: -1  # <-
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
        connectionPool:
          http:
            http1MaxPendingRequests: 100
    ```
    """

    id = "ML752"
    name = "connection-pool-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule", "Sidecar")
    equivalents = REJECTED

    def issues(self, resource):
        for path, pool in pools(resource):
            if isinstance(pool, dict):
                yield from below(path, connection_pool_errors(pool))
