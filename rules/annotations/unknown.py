"""Istio-owned annotation keys must be ones Istio knows."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.annotations import ANNOTATED_KINDS, catalogue, istio_annotations


class UnknownAnnotation(Rule):
    """An annotation in an Istio domain is not one Istio defines.

    ## What it does
    Checks every annotation whose prefix ends in `istio.io` (`sidecar.istio.io/...`,
    `networking.istio.io/...`, `istio.io/...`) against Istio's annotation catalogue, on
    Namespaces, Services, Pods, the pod templates and metadata of workload controllers
    (Deployments, StatefulSets, DaemonSets, Jobs, ...), ServiceEntries,
    AuthorizationPolicies, WorkloadEntries and Gateway API Gateways. Points at the key and
    suggests the closest known annotation; a key that Istio defines as a label is named as
    such. On Istio's own resources, `istio.io/dry-run` and `internal.istio.io/*` are left to
    `istio-annotation-rejected`, which follows Istio's validating webhook.

    ## Why it matters
    Istio silently ignores annotations it does not know: a typo such as
    `sidecar.istio.io/injct` or `networking.istio.io/exportToo` leaves the default
    behaviour in place without any error.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: httpbin
      annotations:
        networking.istio.io/exportToo: "."  # <-
    spec:
      selector: {app: httpbin}
      ports:
      - {name: http, port: 8000}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: httpbin
      annotations:
        networking.istio.io/exportTo: "."
    spec:
      selector: {app: httpbin}
      ports:
      - {name: http, port: 8000}
    ```
    """

    id = "ML601"
    name = "annotation-unknown"
    severity = Severity.WARNING
    category = "schema"
    kinds = ANNOTATED_KINDS
    equivalents = Equivalents(istio="IST0108", analyzers=("annotations.K8sAnalyzer",))

    def check_resource(self, resource, mesh):
        known = catalogue()
        for _site, name, _value, path in istio_annotations(resource):
            if name in known.annotations:
                continue
            if name in known.labels:
                note = f'; "{name}" is an Istio label: set it under metadata.labels'
            else:
                note = hint(name, known.annotations)
            yield self.report(resource, path, f'unknown Istio annotation "{name}"{note}', key=True)
