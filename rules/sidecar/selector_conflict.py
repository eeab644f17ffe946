"""At most one Sidecar may select a workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.dataplane import Mode, workload_mode
from meshlint.mesh.selection import SIDECAR_SELECTOR, overlapping_selectors
from meshlint.mesh.workloads import WORKLOAD_KINDS


class SidecarSelectorConflict(Rule):
    """Several Sidecars select the same workload.

    ## What it does
    Matches each Sidecar's `spec.workloadSelector.labels` against the Pods and pod
    templates of its namespace and reports every Sidecar that shares a selected workload
    with another one, naming the other Sidecars and the shared workloads. Workloads in
    ambient mode are left to `sidecar-ambient-ineffective`.

    ## Why it matters
    Istio applies exactly one Sidecar to a workload and does not say which: the egress
    scope and inbound settings the proxy gets depend on creation order, and change when
    one of the Sidecars is re-created.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: ratings
      labels: {app: ratings, version: v1}
    spec:
      containers:
      - name: ratings
        image: istio/examples-bookinfo-ratings-v1
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings
    spec:
      workloadSelector:
        labels:  # <-
          app: ratings
      egress:
      - hosts: ["./*"]
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings-v1
    spec:
      workloadSelector:
        labels:  # <-
          version: v1
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: ratings
      labels: {app: ratings, version: v1}
    spec:
      containers:
      - name: ratings
        image: istio/examples-bookinfo-ratings-v1
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings
    spec:
      workloadSelector:
        labels:
          app: ratings
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```
    """

    id = "ML452"
    name = "sidecar-selector-conflict"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("Sidecar", *WORKLOAD_KINDS, "Namespace")
    targets = ("Sidecar",)
    equivalents = Equivalents(
        istio="IST0110", analyzers=("sidecar.SelectorAnalyzer",), kiali="KIA0003"
    )

    def check(self, mesh):
        overlaps = overlapping_selectors(
            mesh,
            mesh.of_kind("Sidecar"),
            SIDECAR_SELECTOR,
            lambda w: workload_mode(mesh, w) is not Mode.AMBIENT,
        )
        for sidecar, overlap in overlaps.items():
            if not sidecar.linted:
                continue
            others = overlap.describe_others()
            workloads = overlap.describe_workloads()
            yield self.report(
                sidecar,
                SIDECAR_SELECTOR,
                f"selects {workloads}, as {others} does: Istio applies only one Sidecar to a "
                "workload, and which one is undefined",
                key=True,
                related=[related_to(o, SIDECAR_SELECTOR) for o in overlap.others],
            )
