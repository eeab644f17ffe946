"""Sidecar workload selectors must select a workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import selection
from meshlint.mesh.workloads import WORKLOAD_KINDS


class SidecarSelectorNoWorkload(Rule):
    """A Sidecar's workload selector matches no workload in its namespace.

    ## What it does
    Matches `spec.workloadSelector.labels` against the Pods and pod templates
    (Deployments, StatefulSets, ...) in the Sidecar's namespace, and points at the label
    no workload there carries. A namespace whose workloads are not in the analyzed files
    is not reported unless `--assume-complete` is given.

    ## Why it matters
    The Sidecar applies to nothing: the egress restrictions or inbound settings it was
    written for are silently missing, and the workload it was meant for falls back to
    the namespace default. Istio reports this as an error; meshlint warns, since nothing
    breaks that worked before.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reviews
    spec:
      selector:
        matchLabels: {app: reviews}
      template:
        metadata:
          labels: {app: reviews}
        spec:
          containers:
          - name: reviews
            image: istio/examples-bookinfo-reviews-v1
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: reviews
    spec:
      workloadSelector:
        labels:
          app: review  # <-
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reviews
    spec:
      selector:
        matchLabels: {app: reviews}
      template:
        metadata:
          labels: {app: reviews}
        spec:
          containers:
          - name: reviews
            image: istio/examples-bookinfo-reviews-v1
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: reviews
    spec:
      workloadSelector:
        labels:
          app: reviews
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```
    """

    id = "ML451"
    name = "sidecar-selector-no-workload"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("Sidecar", *WORKLOAD_KINDS)
    targets = ("Sidecar",)
    equivalents = Equivalents(
        istio="IST0101", analyzers=("sidecar.SelectorAnalyzer",), kiali="KIA0004"
    )
    hints_from_whole_mesh = True

    def check(self, mesh):
        for sidecar in mesh.of_kind("Sidecar"):
            if sidecar.linted:
                yield from self._check_sidecar(sidecar, mesh)

    def _check_sidecar(self, resource, mesh):
        selector = selection.selector_of(resource, selection.SIDECAR_SELECTOR)
        if selector is None:
            return
        resolution, path, message = selection.selector_answer(
            mesh, tuple(selector.items()), resource.namespace, selection.SIDECAR_SELECTOR
        )
        yield from self.unresolved(resource, path, resolution, message)
