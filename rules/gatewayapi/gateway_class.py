"""Gateway API Gateways must name a GatewayClass that exists."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.gatewayapi import GATEWAY_API
from meshlint.mesh.resolve import found, not_found, unknown

#: Classes istiod creates itself: never in the manifests, always present with Istio.
ISTIO_CLASSES = frozenset({"istio", "istio-remote", "istio-waypoint", "istio-east-west"})


class GatewayClassNotFound(Rule):
    """A Gateway names a GatewayClass that does not exist.

    ## What it does
    Looks up `spec.gatewayClassName` of each Gateway API Gateway among the GatewayClass
    objects of the analyzed files and the classes istiod creates (`istio`,
    `istio-remote`, `istio-waypoint`, `istio-east-west`). GatewayClasses are usually
    installed with their controller, not with the application, so the check only runs
    when the analyzed files define at least one GatewayClass (or with
    `--assume-complete`); otherwise the class is unknown.

    ## Why it matters
    No controller owns a Gateway of an unknown class: nothing is deployed or programmed,
    the Gateway never gets an address, and every route attached to it stays dark. A typo
    (`isito`) is enough.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: GatewayClass
    metadata:
      name: internal
    spec:
      controllerName: example.com/gateway-controller
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: internl  # <-
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: GatewayClass
    metadata:
      name: internal
    spec:
      controllerName: example.com/gateway-controller
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      gatewayClassName: internal
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ```
    """

    id = "ML863"
    name = "gwapi-gatewayclass-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("Gateway", "GatewayClass")
    targets = ("Gateway",)
    equivalents = Equivalents(kiali="KIA1504")

    def check(self, mesh):
        classes = {c.name for c in mesh.of_kind("GatewayClass", group=GATEWAY_API)}
        hints: dict[str, str] = {}  # once per class name: many Gateways name the same one
        for gateway in mesh.of_kind("Gateway", group=GATEWAY_API):
            name = gateway.spec.get("gatewayClassName")
            if not gateway.linted or not isinstance(name, str) or not name:
                continue
            if name in classes or name in ISTIO_CLASSES:
                resolution = found([])
            elif classes or mesh.settings.assume_complete:
                resolution = not_found()
            else:
                resolution = unknown("no GatewayClass is in the analyzed files")
            if resolution.found:
                continue
            message = f'GatewayClass "{name}" does not exist'
            if name not in hints:
                hints[name] = hint(name, classes | ISTIO_CLASSES)
            message += hints[name]
            path = ("spec", "gatewayClassName")
            yield from self.unresolved(gateway, path, resolution, message)
