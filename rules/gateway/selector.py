"""Istio Gateway selectors must select a gateway workload."""

from meshlint.core.suggest import closest, distance
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.evidence import NO_GATEWAY_WORKLOADS
from meshlint.mesh.gateways import gateway_selector, selected_workloads
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.resolve import not_found, unknown
from meshlint.mesh.workloads import WORKLOAD_KINDS


def _culprit(selector: dict[str, str], mesh) -> str | None:
    """The first selector label that no workload carries at all."""
    for key, value in selector.items():
        if not mesh.workloads.matching({key: value}):
            return key
    return None


class GatewaySelectorNoWorkload(Rule):
    """A Gateway's selector matches no gateway workload.

    ## What it does
    Matches `spec.selector` against the labels of every Pod and pod template (Deployments,
    DaemonSets, ...) in the analyzed files, plus the gateway deployments meshlint assumes
    exist (Istio's default `istio-ingressgateway` and `istio-egressgateway` in the root
    namespace; configure others under `mesh.gateways`). Points at the label no workload
    has. The assumed gateways are no evidence of what is deployed: a selector is
    reported only when the inputs hold a gateway workload (an injected gateway, an
    `istio: ...gateway` pod, a Gateway API deployment) or gateways declared under
    `mesh.gateways`, or when its value is one or two edits from a known one (a typo);
    otherwise (`istio: eastwestgateway` next to nothing) it cannot be checked.

    ## Why it matters
    No Envoy picks up the Gateway's servers, so nothing listens on its ports: traffic
    to its hosts is refused.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      selector:
        istio: ingresgateway  # <-
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      selector:
        istio: ingressgateway
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```
    """

    id = "ML201"
    name = "gateway-selector-no-workload"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("Gateway", *WORKLOAD_KINDS)
    targets = ("Gateway",)
    equivalents = Equivalents(
        istio="IST0101",
        analyzers=(
            "gateway.IngressGatewayPortAnalyzer",
            "gateway.SecretAnalyzer",
            "gateway.ConflictingGatewayAnalyzer",
        ),
        kiali="KIA0302",
    )
    hints_from_whole_mesh = True

    def check_resource(self, gateway, mesh):
        if gateway.group != ISTIO_NETWORKING or selected_workloads(gateway, mesh):
            return
        selector = gateway_selector(gateway)
        key = _culprit(selector, mesh)
        text = ",".join(f"{k}={v}" for k, v in selector.items())
        if key is None:
            path = ("spec", "selector")
            message = (
                f"selector {text} matches no workload: no Pod or pod template carries "
                "all of these labels"
            )
            typo = None
        else:
            values = {w.labels[key] for w in mesh.whole.workloads.all if key in w.labels}
            typo = closest(selector[key], values)
            path = ("spec", "selector", key)
            message = (
                f"selector {text} matches no workload: no workload has {key}="
                f"{selector[key]}"
                + (f'; did you mean "{typo}"?' if typo else "")
                + " (declare gateways deployed elsewhere under mesh.gateways)"
            )
        yield from self.unresolved(
            gateway, path, _resolution(mesh, key and selector[key], typo), message
        )


def _resolution(mesh, value: str | None, typo: str | None):
    """Not found when the inputs hold gateway workloads, or a label value one or two
    edits from the selector's (even on an assumed default gateway); unknown otherwise."""
    if mesh.settings.assume_complete or mesh.evidence.gateway_workloads:
        return not_found()
    if value is not None and typo is not None and distance(value, typo) <= 2:
        return not_found()
    return unknown(NO_GATEWAY_WORKLOADS)
