"""Traffic policy for ambient Services needs their waypoint, in the Service's namespace."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents
from meshlint.mesh import waypoints
from meshlint.rulebases.ambient import (
    NOT_CAPTURED,
    OTHER_NAMESPACE,
    AmbientHostRule,
)


class DestinationRuleAmbientNoWaypoint(AmbientHostRule):
    """An L7 DestinationRule of an ambient namespace without a waypoint.

    ## What it does
    For DestinationRules with HTTP-level settings (HTTP consistent-hash load balancing,
    an HTTP connection pool, outlier detection, at the top or in a subset) whose host is
    no Service of an ambient namespace in the analyzed files: reports them when their
    own namespace is ambient and uses no waypoint (`istio.io/use-waypoint`).

    ## Why it matters
    ztunnel balances connections, not requests: without a waypoint these settings are
    never applied, and the circuit breaking or session affinity they promise is absent.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: payments
      namespace: shop
    spec:
      host: payments.example.com  # <-
      trafficPolicy:
        outlierDetection: {consecutive5xxErrors: 5}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: payments
      namespace: shop
    spec:
      host: payments.example.com
      trafficPolicy:
        outlierDetection: {consecutive5xxErrors: 5}
    ```
    """

    id = "ML360"
    name = "dr-ambient-no-waypoint"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("DestinationRule", "Namespace", "Service")
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0210")
    config_kind = "DestinationRule"
    l7 = staticmethod(waypoints.l7_destination_rule)


class DestinationRuleAmbientServiceNotCaptured(AmbientHostRule):
    """An L7 DestinationRule targets an ambient Service that uses no waypoint.

    ## What it does
    For DestinationRules with HTTP-level settings whose host is a Service of an ambient
    namespace, reports them when neither the Service nor its namespace has an
    `istio.io/use-waypoint` label (a Service's own label, `none` included, wins).

    ## Why it matters
    Only a waypoint applies HTTP connection pools, outlier detection and HTTP session
    affinity; traffic to a Service without one skips them silently.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
      namespace: shop
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
      namespace: shop
    spec:
      host: reviews  # <-
      trafficPolicy:
        connectionPool:
          http: {http1MaxPendingRequests: 10}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
      namespace: shop
      labels: {istio.io/use-waypoint: waypoint}
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
      namespace: shop
    spec:
      host: reviews
      trafficPolicy:
        connectionPool:
          http: {http1MaxPendingRequests: 10}
    ```
    """

    id = "ML361"
    name = "dr-ambient-service-no-waypoint"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("DestinationRule", "Namespace", "Service")
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0211")
    config_kind = "DestinationRule"
    problem = NOT_CAPTURED
    l7 = staticmethod(waypoints.l7_destination_rule)


class DestinationRuleAmbientOtherNamespace(AmbientHostRule):
    """An L7 DestinationRule for an ambient Service lives in another namespace.

    ## What it does
    For DestinationRules with HTTP-level settings whose host is a Service of an ambient
    namespace, reports them when they live in another namespace than the Service.

    ## Why it matters
    A waypoint applies the traffic policy of its Service's own namespace: a
    DestinationRule written in a client's namespace (sidecar style) has no effect on
    ambient traffic.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
      namespace: shop
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
      namespace: frontend
    spec:
      host: reviews.shop.svc.cluster.local  # <-
      trafficPolicy:
        outlierDetection: {consecutive5xxErrors: 5}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
      namespace: shop
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
      namespace: shop
    spec:
      host: reviews.shop.svc.cluster.local
      trafficPolicy:
        outlierDetection: {consecutive5xxErrors: 5}
    ```
    """

    id = "ML362"
    name = "dr-ambient-other-namespace"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("DestinationRule", "Namespace", "Service")
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0212")
    config_kind = "DestinationRule"
    problem = OTHER_NAMESPACE
    l7 = staticmethod(waypoints.l7_destination_rule)
