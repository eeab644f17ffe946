"""exportTo must name namespaces that exist."""

import re

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.resolve import not_found
from meshlint.mesh.services import EXPORT_TO_ANNOTATION
from meshlint.validation.hosts import is_dns1123_label

SPECIAL = frozenset({".", "*", "~"})
NAMESPACE_NAME = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")


def export_entries(resource):
    """(path, namespace name) of each exportTo entry that names a namespace."""
    if resource.kind == "Service":
        value = resource.annotations.get(EXPORT_TO_ANNOTATION)
        path = ("metadata", "annotations", EXPORT_TO_ANNOTATION)
        for name in (value or "").split(","):
            if name.strip() and name.strip() not in SPECIAL:
                yield path, name.strip()
        return
    values = resource.spec.get("exportTo")
    for i, name in enumerate(values if isinstance(values, list) else ()):
        if isinstance(name, str) and name.strip() and name.strip() not in SPECIAL:
            yield ("spec", "exportTo", i), name.strip()


class ExportToNamespaceNotFound(Rule):
    """`exportTo` names a namespace that does not exist.

    ## What it does
    Checks the `spec.exportTo` entries of VirtualServices, DestinationRules and
    ServiceEntries, and the `networking.istio.io/exportTo` annotation of Services, other
    than `.`, `*` and `~`. A namespace exists if a Namespace object names it, any analyzed
    manifest lives in it, or it is the root namespace. Since a namespace may be created
    elsewhere, one meshlint has no evidence of is only reported with `--assume-complete`
    (and shown as information with `--report-unknown`). An entry that cannot be a
    namespace name (namespaces are lower-case DNS labels) is always reported, unless the
    webhook rejects it (then `export-to-invalid` reports it).

    ## Why it matters
    The resource is exported to nobody there: the namespace meant to see the route, the
    traffic policy or the external service (usually the one a typo was made for) does
    not, and its clients fall back to default routing or cannot reach the host.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: frontend
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: payments
      annotations:
        networking.istio.io/exportTo: ".,Frontend"  # <-
    spec:
      selector: {app: payments}
      ports:
      - {name: http, port: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: frontend
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: payments
      annotations:
        networking.istio.io/exportTo: ".,frontend"
    spec:
      selector: {app: payments}
      ports:
      - {name: http, port: 8080}
    ```
    """

    id = "ML160"
    name = "export-to-namespace-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("VirtualService", "DestinationRule", "ServiceEntry", "Service", "Namespace")
    targets = ("VirtualService", "DestinationRule", "ServiceEntry", "Service")
    equivalents = Equivalents(kiali="KIA0005")

    def check(self, mesh):
        known = mesh.namespaces_seen | {mesh.settings.root_namespace}
        hints: dict[str, str] = {}  # resources repeat their exportTo lists
        kinds = ("VirtualService", "DestinationRule", "ServiceEntry", "Service")
        for resource in mesh.of_kind(*kinds):
            if not resource.linted:
                continue
            for path, name in export_entries(resource):
                if NAMESPACE_NAME.fullmatch(name):
                    resolution = mesh.namespace(name)
                elif resource.kind != "Service" and not is_dns1123_label(name):
                    continue  # rejected by the webhook: export-to-invalid
                else:
                    resolution = not_found("namespace names are lower-case DNS labels")
                if not (resolution.missing or mesh.settings.report_unknown):
                    continue
                if name not in hints:
                    hints[name] = hint(name.lower(), known)
                message = f'exportTo names namespace "{name}", which does not exist'
                yield from self.unresolved(resource, path, resolution, message + hints[name])
