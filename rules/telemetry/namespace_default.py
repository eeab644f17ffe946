"""A namespace may have at most one Telemetry that applies to all of it."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.groups import Group, describe
from meshlint.mesh.selection import has_target_ref, selector_of


class TelemetryMultipleNamespaceWide(Rule):
    """Several Telemetries in one namespace have no selector.

    ## What it does
    Groups the Telemetries with neither `spec.selector` (or an empty one) nor
    `targetRefs` by namespace and reports each one of a group of two or more.

    ## Why it matters
    A selector-less Telemetry is the default for every workload of its namespace (in the
    root namespace, of the whole mesh). With two, Istio uses one and ignores the other,
    and which one is undefined: split settings such as metrics in one and access logs in
    the other silently lose half.

    ## Example
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: metrics  # <-
    spec:
      metrics:
      - providers:
        - name: prometheus
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: access-logs  # <-
    spec:
      accessLogging:
      - providers:
        - name: envoy
    ```

    ## Use instead
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: default
    spec:
      metrics:
      - providers:
        - name: prometheus
      accessLogging:
      - providers:
        - name: envoy
    ```
    """

    id = "ML903"
    name = "telemetry-multiple-namespace-wide"
    severity = Severity.ERROR
    category = "conflict"
    kinds = ("Telemetry",)
    equivalents = Equivalents(istio="IST0160", analyzers=("telemetry.DefaultSelectorAnalyzer",))

    def check(self, mesh):
        by_namespace: dict[str, list] = {}
        for telemetry in mesh.of_kind("Telemetry"):
            if selector_of(telemetry) is None and not has_target_ref(telemetry):
                by_namespace.setdefault(telemetry.namespace, []).append(telemetry)
        for namespace, telemetries in by_namespace.items():
            if len(telemetries) < 2:
                continue
            group = Group(telemetries)
            for telemetry in telemetries:
                if not telemetry.linted:
                    continue
                others, total = group.others(telemetry)
                yield self.report(
                    telemetry,
                    ("metadata", "name"),
                    f"namespace {namespace} has other Telemetries without a selector "
                    f"({describe(others, total)}): Istio applies only one of them, "
                    "and which one is undefined",
                    related=[related_to(o) for o in others],
                )
