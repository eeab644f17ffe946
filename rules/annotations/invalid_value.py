"""Istio annotation values the sidecar injector validates must be valid."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.annotation_values import value_error
from meshlint.mesh.annotations import ANNOTATED_KINDS, istio_annotations, lookup


class InvalidAnnotationValue(Rule):
    """An Istio annotation has a value the sidecar injector rejects.

    ## What it does
    Applies the injector's own value checks to the annotations it validates: interception
    mode (`REDIRECT`, `TPROXY`, `NONE`), status and readiness-probe numbers, inbound and
    outbound port lists, outbound IP ranges (CIDR lists or `*`),
    `prometheus.istio.io/merge-metrics` (a boolean) and `proxy.istio.io/config` (readable
    ProxyConfig overrides with valid durations, addresses and ports). Annotations on the
    wrong kind are left to `annotation-misplaced`.

    ## Why it matters
    The injector refuses to inject a pod whose annotations fail these checks; with the
    webhook's default failure policy the pod is not created at all.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: httpbin
      annotations:
        readiness.status.sidecar.istio.io/initialDelaySeconds: 10s  # <-
        traffic.sidecar.istio.io/excludeOutboundIPRanges: 10.0.0.0  # <-
    spec:
      containers:
      - name: httpbin
        image: kennethreitz/httpbin
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: httpbin
      annotations:
        readiness.status.sidecar.istio.io/initialDelaySeconds: "10"
        traffic.sidecar.istio.io/excludeOutboundIPRanges: 10.0.0.0/8
    spec:
      containers:
      - name: httpbin
        image: kennethreitz/httpbin
    ```
    """

    id = "ML603"
    name = "annotation-invalid-value"
    severity = Severity.WARNING
    category = "schema"
    kinds = ANNOTATED_KINDS
    equivalents = Equivalents(istio="IST0125", analyzers=("annotations.K8sAnalyzer",))

    def check_resource(self, resource, mesh):
        for site, name, value, path in istio_annotations(resource):
            definition = lookup(name)
            if definition is None or not definition.applies_to(site.kind):
                continue
            if error := value_error(name, value):
                yield self.report(resource, path, f'invalid value for "{name}": {error}')
