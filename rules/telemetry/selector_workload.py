"""Telemetry selectors must select a workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import selection
from meshlint.mesh.workloads import WORKLOAD_KINDS


class TelemetrySelectorNoWorkload(Rule):
    """A Telemetry's selector matches no workload in its namespace.

    ## What it does
    Matches `spec.selector.matchLabels` against the Pods and pod templates (Deployments,
    StatefulSets, ...) in the Telemetry's namespace, and points at the label no workload
    there carries. Telemetries attached with `targetRefs` are skipped. A namespace whose
    workloads are not in the analyzed files is not reported unless `--assume-complete`
    is given.

    ## Why it matters
    The Telemetry applies to nothing: the metrics, access logs or tracing it was meant
    to change stay as they were, and nothing says so. Istio reports this as an error;
    meshlint warns, since nothing breaks that worked before.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: productpage
    spec:
      selector:
        matchLabels: {app: productpage}
      template:
        metadata:
          labels: {app: productpage}
        spec:
          containers:
          - name: productpage
            image: istio/examples-bookinfo-productpage-v1
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: productpage-logs
    spec:
      selector:
        matchLabels:
          app: product-page  # <-
      accessLogging:
      - providers:
        - name: envoy
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: productpage
    spec:
      selector:
        matchLabels: {app: productpage}
      template:
        metadata:
          labels: {app: productpage}
        spec:
          containers:
          - name: productpage
            image: istio/examples-bookinfo-productpage-v1
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: productpage-logs
    spec:
      selector:
        matchLabels:
          app: productpage
      accessLogging:
      - providers:
        - name: envoy
    ```
    """

    id = "ML901"
    name = "telemetry-selector-no-workload"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("Telemetry", *WORKLOAD_KINDS)
    targets = ("Telemetry",)
    equivalents = Equivalents(istio="IST0101", analyzers=("telemetry.SelectorAnalyzer",))
    hints_from_whole_mesh = True

    def check(self, mesh):
        for telemetry in mesh.of_kind("Telemetry"):
            if telemetry.linted and not selection.has_target_ref(telemetry):
                yield from self._check_telemetry(telemetry, mesh)

    def _check_telemetry(self, telemetry, mesh):
        selector = selection.selector_of(telemetry)
        if selector is None:
            return
        resolution, path, message = selection.selector_answer(
            mesh, tuple(selector.items()), telemetry.namespace, selection.POLICY_SELECTOR
        )
        yield from self.unresolved(telemetry, path, resolution, message)
