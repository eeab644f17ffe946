"""At most one Telemetry with a selector may select a workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.selection import POLICY_SELECTOR, has_target_ref, overlapping_selectors
from meshlint.mesh.workloads import WORKLOAD_KINDS


class TelemetrySelectorConflict(Rule):
    """Several Telemetries select the same workload.

    ## What it does
    Matches each Telemetry's `spec.selector.matchLabels` against the Pods and pod
    templates of its namespace and reports every Telemetry that shares a selected
    workload with another one, naming the other Telemetries and the shared workloads.

    ## Why it matters
    Istio merges at most one workload-selecting Telemetry into a workload's
    configuration; with several, which one wins is undefined, so metrics, logs and
    traces can change when one is re-created.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: reviews
      labels: {app: reviews, version: v2}
    spec:
      containers:
      - name: reviews
        image: istio/examples-bookinfo-reviews-v2
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: reviews-tracing
    spec:
      selector:
        matchLabels:  # <-
          app: reviews
      tracing:
      - randomSamplingPercentage: 10
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: reviews-v2-logs
    spec:
      selector:
        matchLabels:  # <-
          version: v2
      accessLogging:
      - providers:
        - name: envoy
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: reviews
      labels: {app: reviews, version: v2}
    spec:
      containers:
      - name: reviews
        image: istio/examples-bookinfo-reviews-v2
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: reviews
    spec:
      selector:
        matchLabels:
          app: reviews
      tracing:
      - randomSamplingPercentage: 10
      accessLogging:
      - providers:
        - name: envoy
    ```
    """

    id = "ML902"
    name = "telemetry-selector-conflict"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("Telemetry", *WORKLOAD_KINDS)
    targets = ("Telemetry",)
    equivalents = Equivalents(istio="IST0159", analyzers=("telemetry.SelectorAnalyzer",))

    def check(self, mesh):
        telemetries = [t for t in mesh.of_kind("Telemetry") if not has_target_ref(t)]
        for telemetry, overlap in overlapping_selectors(mesh, telemetries, POLICY_SELECTOR).items():
            if not telemetry.linted:
                continue
            others = overlap.describe_others()
            workloads = overlap.describe_workloads()
            yield self.report(
                telemetry,
                POLICY_SELECTOR,
                f"selects {workloads}, as {others} does: Istio applies only one of them to "
                "a workload, and which one is undefined",
                key=True,
                related=[related_to(o, POLICY_SELECTOR) for o in overlap.others],
            )
