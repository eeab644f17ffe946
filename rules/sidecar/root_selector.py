"""The mesh-wide default Sidecar must not have a workload selector."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import selection
from meshlint.mesh.istio_install import effective_mesh_config


class RootSidecarWithSelector(Rule):
    """A Sidecar in the root namespace has a workload selector.

    ## What it does
    Reports a Sidecar in Istio's root namespace (`istio-system` unless the mesh config's
    `rootNamespace` says otherwise) whose `workloadSelector` has labels.

    ## Why it matters
    A Sidecar without a selector in the root namespace is the default of every namespace
    that has none of its own. With a selector it is not a default at all: it applies only
    to the matching workloads of the root namespace itself, so the mesh-wide egress
    restriction it was meant to be is silently missing everywhere else.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
      namespace: istio-system
    spec:
      workloadSelector:  # <-
        labels: {app: ratings}
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
      namespace: istio-system
    spec:
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```
    """

    id = "ML471"
    name = "sidecar-root-namespace-selector"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Sidecar", "ConfigMap")
    targets = ("Sidecar",)
    equivalents = Equivalents(kiali="KIA1006")

    def check_resource(self, sidecar, mesh):
        root = str(effective_mesh_config(mesh).get("rootNamespace") or "istio-system")
        if sidecar.namespace != root:
            return
        if selection.selector_of(sidecar, selection.SIDECAR_SELECTOR) is None:
            return
        yield self.report(
            sidecar,
            ("spec", "workloadSelector"),
            f"a Sidecar in the root namespace {root} with a workload selector applies only to "
            f"the matching workloads of {root}, not to the mesh; remove the selector to make "
            "it the mesh-wide default, or move it to the workloads' namespace",
            key=True,
        )
