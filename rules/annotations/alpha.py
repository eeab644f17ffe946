"""Annotations of alpha-phase Istio features are worth knowing about."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.annotations import ANNOTATED_KINDS, istio_annotations, lookup

#: Set by Istio itself (injector, gateway controller, revision tags), never by users.
ALWAYS_IGNORED = frozenset(
    {"sidecar.istio.io/status", "gateway.istio.io/controller-version", "istio.io/rev"}
)
#: Written onto running pods by the injector when istio-cni does the traffic redirection.
CNI_DEFAULTS = frozenset(
    {
        "sidecar.istio.io/interceptionMode",
        "traffic.sidecar.istio.io/includeInboundPorts",
        "traffic.sidecar.istio.io/excludeInboundPorts",
        "traffic.sidecar.istio.io/includeOutboundIPRanges",
    }
)


def _uses_cni(pod_spec: object) -> bool:
    """A running pod without the ``istio-init`` init container had its traffic redirected
    by istio-cni."""
    init = pod_spec.get("initContainers") if isinstance(pod_spec, dict) else None
    names = [c.get("name") for c in init or [] if isinstance(c, dict)]
    return "istio-init" not in names


class AlphaAnnotation(Rule):
    """An annotation configures an alpha-phase Istio feature.

    ## What it does
    Notes annotations whose catalogue maturity is Alpha, at info level. Annotations that
    Istio writes itself are skipped: `sidecar.istio.io/status`, the gateway
    controller-version and `istio.io/rev` always, and on a Pod object without the
    `istio-init` container (traffic redirected by istio-cni) the four redirection
    annotations the injector sets there. Pod templates are never injected yet, so every
    alpha annotation on them was written by the user and is noted.

    `istioctl analyze` does not run this check by default; meshlint runs it at info level,
    which does not fail a run unless `--failure-threshold info` is given.

    ## Why it matters
    Alpha features may change or disappear between Istio minor releases without a
    deprecation period, so they deserve a look before each upgrade.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: httpbin
      annotations:
        networking.istio.io/exportTo: "."  # <-
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
    spec:
      selector: {app: httpbin}
      ports:
      - {name: http, port: 8000}
    ```
    """

    id = "ML605"
    name = "annotation-alpha"
    severity = Severity.INFO
    category = "best-practice"
    kinds = ANNOTATED_KINDS
    equivalents = Equivalents(istio="IST0136", analyzers=("maturity.AlphaAnalyzer",))

    def check_resource(self, resource, mesh):
        pod_cni = resource.kind == "Pod" and _uses_cni(resource.spec)
        for site, name, _value, path in istio_annotations(resource):
            definition = lookup(name)
            if definition is None or not definition.alpha or name in ALWAYS_IGNORED:
                continue
            if pod_cni and site.kind == "Pod" and name in CNI_DEFAULTS:
                continue
            text = f'annotation "{name}" configures an alpha feature of Istio'
            yield self.report(resource, path, text, key=True)
