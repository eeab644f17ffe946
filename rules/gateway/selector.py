"""Istio Gateway selectors must select a gateway workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.suggest import hint
from meshlint.model import string_map

ISTIO_NETWORKING = "networking.istio.io"


def selector_of(gateway) -> dict[str, str]:
    return string_map(gateway.spec.get("selector"))


def selected_workloads(gateway, mesh):
    """The workloads a Gateway's selector picks, in every namespace (istiod's default)."""
    return mesh.workloads.matching(selector_of(gateway))


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
    has.

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
    kinds = ("Gateway", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
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

    def check(self, mesh):
        for gateway in mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            if not gateway.linted or selected_workloads(gateway, mesh):
                continue
            selector = selector_of(gateway)
            key = _culprit(selector, mesh)
            text = ",".join(f"{k}={v}" for k, v in selector.items())
            if key is None:
                yield self.report(
                    gateway,
                    ("spec", "selector"),
                    f"selector {text} matches no workload: no Pod or pod template carries "
                    "all of these labels",
                )
                continue
            values = {w.labels[key] for w in mesh.whole.workloads.all if key in w.labels}
            yield self.report(
                gateway,
                ("spec", "selector", key),
                f"selector {text} matches no workload: no workload has {key}="
                f"{selector[key]}"
                + hint(selector[key], values)
                + " (declare gateways deployed elsewhere under mesh.gateways)",
            )
