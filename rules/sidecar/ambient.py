"""Sidecar resources have no effect on workloads in ambient mode."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.dataplane import Mode, namespace_mode, workload_mode
from meshlint.mesh.groups import MAX_NAMED, describe
from meshlint.mesh.selection import SIDECAR_SELECTOR, selector_of
from meshlint.mesh.workloads import WORKLOAD_KINDS


class SidecarAmbientIneffective(Rule):
    """A Sidecar applies to workloads in ambient mode, where it has no effect.

    ## What it does
    Reports a Sidecar whose workload selector selects a workload in ambient mode (a pod
    redirected by the ambient CNI, a pod template labelled
    `istio.io/dataplane-mode: ambient`, or a workload in an ambient namespace), and a
    selector-less Sidecar in a namespace labelled `istio.io/dataplane-mode: ambient`
    (without sidecar injection labels).

    ## Why it matters
    Ambient workloads have no sidecar proxy to configure: the Sidecar's egress scope and
    inbound settings are silently ignored. Limit egress with a waypoint or an
    AuthorizationPolicy instead.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio.io/dataplane-mode: ambient
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default  # <-
      namespace: shop
    spec:
      egress:
      - hosts: ["./*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio-injection: enabled
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
      namespace: shop
    spec:
      egress:
      - hosts: ["./*"]
    ```
    """

    id = "ML454"
    name = "sidecar-ambient-ineffective"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Sidecar", *WORKLOAD_KINDS, "Namespace")
    targets = ("Sidecar",)
    equivalents = Equivalents(istio="IST0167", analyzers=("sidecar.SelectorAnalyzer",))

    def check(self, mesh):
        ambient: dict[tuple, list] = {}  # Sidecars with one selector select the same pods
        for sidecar in mesh.of_kind("Sidecar"):
            if sidecar.linted:
                yield from self._check_sidecar(sidecar, ambient, mesh)

    def _check_sidecar(self, resource, ambient_by_selector, mesh):
        selector = selector_of(resource, SIDECAR_SELECTOR)
        if selector is None:
            if namespace_mode(mesh, resource.namespace) is Mode.AMBIENT:
                yield self.report(
                    resource,
                    ("metadata", "name"),
                    f"namespace {resource.namespace} is in ambient mode: its workloads have "
                    "no sidecar, so this Sidecar has no effect",
                )
            return
        key = (resource.namespace, tuple(selector.items()))
        if key not in ambient_by_selector:
            ambient_by_selector[key] = [
                w.resource
                for w in mesh.workloads.matching(selector, resource.namespace)
                if workload_mode(mesh, w) is Mode.AMBIENT
            ]
        ambient = ambient_by_selector[key]
        if ambient:
            named = ambient[:MAX_NAMED]
            yield self.report(
                resource,
                SIDECAR_SELECTOR,
                f"selects {describe(named, len(ambient))} in ambient mode, which "
                "has no sidecar: this Sidecar has no effect on it",
                key=True,
                related=[related_to(w) for w in named],
            )
