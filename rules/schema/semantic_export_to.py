"""``exportTo`` lists Istio rejects."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule, below
from meshlint.validation.export_to import export_to_issues


class ExportToInvalid(SemanticRule):
    """An `exportTo` list has duplicates, mixes `*` or `~` with others, or names no namespace.

    ## What it does
    Checks `exportTo` of VirtualServices, DestinationRules and ServiceEntries: entries are
    `.` (this namespace), `*` (all) or namespace names, without duplicates (`.` and the
    resource's own namespace count as the same); `*` and `~` (no one, ServiceEntry only)
    stand alone. A DestinationRule with a `workloadSelector` may only be exported to its
    own namespace.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      exportTo: [".", "*"]  # <-
      http:
      - route:
        - destination: {host: reviews}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      exportTo: ["*"]
      http:
      - route:
        - destination: {host: reviews}
    ```
    """

    id = "ML736"
    name = "export-to-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService", "DestinationRule", "ServiceEntry")
    equivalents = REJECTED

    def issues(self, resource):
        values = resource.spec.get("exportTo")
        if not isinstance(values, list):
            return
        found = export_to_issues(
            values,
            resource.namespace,
            service_entry=resource.kind == "ServiceEntry",
            dr_selector=resource.kind == "DestinationRule"
            and isinstance(resource.spec.get("workloadSelector"), dict),
        )
        yield from below(("spec", "exportTo"), found)
