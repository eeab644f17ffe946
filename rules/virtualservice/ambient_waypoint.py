"""Routing for ambient Services needs their waypoint, in the Service's namespace."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents
from meshlint.rulebases.ambient import NOT_CAPTURED, OTHER_NAMESPACE, AmbientHostRule


class VirtualServiceAmbientNoWaypoint(AmbientHostRule):
    """A mesh VirtualService of an ambient namespace without a waypoint.

    ## What it does
    For VirtualServices with `http` or `tls` routes for mesh traffic (no `gateways`, or
    `mesh` among them) whose hosts are no Service of an ambient namespace in the
    analyzed files: reports them when their own namespace is ambient (Namespace label
    `istio.io/dataplane-mode: ambient`) and uses no waypoint (`istio.io/use-waypoint`).

    ## Why it matters
    ztunnel does not route HTTP: without a waypoint the VirtualService's routes (splits,
    retries, fault injection, header matches) are never applied to mesh traffic.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: payments
      namespace: shop
    spec:
      hosts:
      - payments.example.com  # <-
      http:
      - timeout: 5s
        route:
        - destination: {host: payments.example.com}
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
    kind: VirtualService
    metadata:
      name: payments
      namespace: shop
    spec:
      hosts:
      - payments.example.com
      http:
      - timeout: 5s
        route:
        - destination: {host: payments.example.com}
    ```
    """

    id = "ML161"
    name = "vs-ambient-no-waypoint"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("VirtualService", "Namespace", "Service")
    targets = ("VirtualService",)
    equivalents = Equivalents(kiali="KIA1109")
    config_kind = "VirtualService"


class VirtualServiceAmbientServiceNotCaptured(AmbientHostRule):
    """A mesh VirtualService routes an ambient Service that uses no waypoint.

    ## What it does
    For VirtualServices with `http` or `tls` routes for mesh traffic, finds the hosts
    that are Services of ambient namespaces, and reports those that use no waypoint:
    neither the Service nor its namespace has an `istio.io/use-waypoint` label (a
    Service's own label, `none` included, wins).

    ## Why it matters
    ztunnel does not route HTTP: traffic to the Service bypasses the VirtualService, so
    its splits, retries and timeouts silently do nothing.

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
    kind: VirtualService
    metadata:
      name: reviews
      namespace: shop
    spec:
      hosts:
      - reviews  # <-
      http:
      - route:
        - destination: {host: reviews}
          weight: 90
        - destination: {host: reviews-canary}
          weight: 10
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
    kind: VirtualService
    metadata:
      name: reviews
      namespace: shop
    spec:
      hosts:
      - reviews
      http:
      - route:
        - destination: {host: reviews}
          weight: 90
        - destination: {host: reviews-canary}
          weight: 10
    ```
    """

    id = "ML162"
    name = "vs-ambient-service-no-waypoint"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("VirtualService", "Namespace", "Service")
    targets = ("VirtualService",)
    equivalents = Equivalents(kiali="KIA1113")
    config_kind = "VirtualService"
    problem = NOT_CAPTURED


class VirtualServiceAmbientOtherNamespace(AmbientHostRule):
    """A mesh VirtualService for an ambient Service lives in another namespace.

    ## What it does
    For VirtualServices with `http` or `tls` routes for mesh traffic, finds the hosts
    that are Services of ambient namespaces, and reports those whose Service lives in a
    namespace other than the VirtualService's.

    ## Why it matters
    A waypoint applies the routing of its Service's own namespace: a VirtualService
    written in a client's namespace (sidecar style) has no effect on ambient traffic.

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
    kind: VirtualService
    metadata:
      name: reviews
      namespace: frontend
    spec:
      hosts:
      - reviews.shop.svc.cluster.local  # <-
      http:
      - timeout: 2s
        route:
        - destination: {host: reviews.shop.svc.cluster.local}
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
    kind: VirtualService
    metadata:
      name: reviews
      namespace: shop
    spec:
      hosts:
      - reviews.shop.svc.cluster.local
      http:
      - timeout: 2s
        route:
        - destination: {host: reviews.shop.svc.cluster.local}
    ```
    """

    id = "ML163"
    name = "vs-ambient-other-namespace"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("VirtualService", "Namespace", "Service")
    targets = ("VirtualService",)
    equivalents = Equivalents(kiali="KIA1114")
    config_kind = "VirtualService"
    problem = OTHER_NAMESPACE
