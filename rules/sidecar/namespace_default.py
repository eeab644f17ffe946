"""A namespace may have at most one Sidecar without a workload selector."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.dataplane import Mode, namespace_mode
from meshlint.mesh.groups import Group, describe
from meshlint.mesh.selection import SIDECAR_SELECTOR, selector_of


def namespace_wide(resources) -> dict[str, list]:
    """Resources without a selector (at ``SIDECAR_SELECTOR``), by namespace."""
    out: dict[str, list] = {}
    for resource in resources:
        if selector_of(resource, SIDECAR_SELECTOR) is None:
            out.setdefault(resource.namespace, []).append(resource)
    return out


class SidecarMultipleNamespaceWide(Rule):
    """Several Sidecars in one namespace have no workload selector.

    ## What it does
    Groups the Sidecars without `spec.workloadSelector` (or with an empty one) by
    namespace and reports each one of a group of two or more. Namespaces in ambient mode
    are left to `sidecar-ambient-ineffective`.

    ## Why it matters
    A selector-less Sidecar is the default for every workload of its namespace (in the
    root namespace, of the whole mesh). With two, Istio picks one and ignores the other,
    so which egress scope the namespace gets is undefined.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default  # <-
    spec:
      egress:
      - hosts: ["./*", "istio-system/*"]
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: restrict-egress  # <-
    spec:
      egress:
      - hosts: ["./*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```
    """

    id = "ML453"
    name = "sidecar-multiple-namespace-wide"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("Sidecar", "Namespace")
    targets = ("Sidecar",)
    equivalents = Equivalents(
        istio="IST0111", analyzers=("sidecar.SelectorAnalyzer",), kiali="KIA0002"
    )

    def check(self, mesh):
        for namespace, sidecars in namespace_wide(mesh.of_kind("Sidecar")).items():
            if len(sidecars) < 2 or namespace_mode(mesh, namespace) is Mode.AMBIENT:
                continue
            group = Group(sidecars)
            for sidecar in sidecars:
                if not sidecar.linted:
                    continue
                others, total = group.others(sidecar)
                yield self.report(
                    sidecar,
                    ("metadata", "name"),
                    f"namespace {namespace} has other Sidecars without a workload selector "
                    f"({describe(others, total)}): Istio applies only one of them, "
                    "and which one is undefined",
                    related=[related_to(o) for o in others],
                )
