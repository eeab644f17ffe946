"""HTTP telemetry in ambient namespaces needs a waypoint and targetRefs."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents
from meshlint.mesh import waypoints
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.rulebases.ambient import AmbientPolicyRule


class TelemetryAmbientSelector(AmbientPolicyRule):
    """An HTTP Telemetry of an ambient namespace is not attached with targetRefs.

    ## What it does
    In namespaces whose Namespace object has `istio.io/dataplane-mode: ambient`, reports
    Telemetry resources that configure tracing, access logging or metric overrides and
    have no `targetRefs`.

    ## Why it matters
    ztunnel produces L4 metrics only. Traces, HTTP access logs and HTTP metric overrides
    come from waypoints, which ignore Telemetry attached by selector or namespace: the
    configuration silently has no effect.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: tracing
      namespace: shop
    spec:
      selector:  # <-
        matchLabels: {app: catalog}
      tracing:
      - randomSamplingPercentage: 10
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: tracing
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      tracing:
      - randomSamplingPercentage: 10
    ```
    """

    id = "ML544"
    name = "telemetry-ambient-no-target-refs"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Telemetry", "Namespace")
    targets = ("Telemetry",)
    equivalents = Equivalents(kiali="KIA1117")
    policy_kind = "Telemetry"
    l7 = staticmethod(waypoints.l7_telemetry)


class TelemetryAmbientNoWaypoint(AmbientPolicyRule):
    """An HTTP Telemetry of an ambient namespace covers traffic no waypoint handles.

    ## What it does
    In ambient namespaces, for Telemetry resources that configure tracing, access logging
    or metric overrides, checks that their targets use a waypoint
    (`istio.io/use-waypoint`): the target Services of `targetRefs`, the workloads the
    selector selects, or else the namespace.

    ## Why it matters
    Without a waypoint there are no HTTP spans, logs or metrics to configure: the traces
    and dashboards the resource was written for stay empty.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: logs  # <-
      namespace: shop
    spec:
      accessLogging:
      - providers: [{name: envoy}]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: logs
      namespace: shop
    spec:
      accessLogging:
      - providers: [{name: envoy}]
    ```
    """

    id = "ML545"
    name = "telemetry-ambient-no-waypoint"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Telemetry", "Namespace", "Service", *WORKLOAD_KINDS)
    targets = ("Telemetry",)
    equivalents = Equivalents(kiali="KIA1112")
    policy_kind = "Telemetry"
    missing_target_refs = False
    l7 = staticmethod(waypoints.l7_telemetry)
