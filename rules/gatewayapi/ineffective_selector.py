"""Policies must attach to Kubernetes Gateway API gateways by targetRefs, not selectors."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.generated import GATEWAY_NAME_LABEL, gateway_pod_labels
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.selection import has_target_ref, selector_of, text
from meshlint.mesh.workloads import WORKLOAD_KINDS, selects

GATEWAY_API = "gateway.networking.k8s.io"
ISTIO_CLASSES = frozenset({"istio", "istio-waypoint", "istio-east-west"})
POLICY_KINDS = ("AuthorizationPolicy", "RequestAuthentication", "Telemetry", "WasmPlugin")


def istio_deployed(gateway, mesh) -> bool:
    """Whether Istio deploys the gateway's pods (an Istio class, or a GatewayClass in the
    analyzed files whose controller is Istio's)."""
    name = gateway.spec.get("gatewayClassName")
    if name in ISTIO_CLASSES:
        return True
    gateway_class = mesh.get(GATEWAY_API, "GatewayClass", "", str(name))
    controller = gateway_class.spec.get("controllerName") if gateway_class else None
    return isinstance(controller, str) and controller.startswith("istio.io/")


def gateway_pods(mesh) -> dict[str, list[tuple[str, tuple[dict[str, str], object]]]]:
    """By namespace, sorted by gateway name: gateway name -> (pod labels, the resource
    standing for the pods), of workloads labelled with a gateway name and of the Gateways
    Istio deploys."""
    by_namespace: dict[str, dict[str, tuple[dict[str, str], object]]] = {}
    for workload in mesh.workloads.all:
        name = workload.labels.get(GATEWAY_NAME_LABEL)
        if name:
            pods = by_namespace.setdefault(workload.namespace, {})
            pods[name] = (workload.labels, workload.resource)
    for gateway in mesh.of_kind("Gateway", group=GATEWAY_API):
        if istio_deployed(gateway, mesh):
            pods = by_namespace.setdefault(gateway.namespace, {})
            pods.setdefault(gateway.name, (gateway_pod_labels(gateway), gateway))
    return {namespace: sorted(pods.items()) for namespace, pods in by_namespace.items()}


class GatewayApiIneffectiveSelector(Rule):
    """A policy selects the pods of a Kubernetes Gateway API gateway with a selector.

    ## What it does
    For AuthorizationPolicy, RequestAuthentication, Telemetry and WasmPlugin resources
    that use `spec.selector` (and no `targetRef`/`targetRefs`), checks whether the
    selector selects the pods of a Gateway API gateway in the same namespace: pods or pod
    templates labelled `gateway.networking.k8s.io/gateway-name`, or the pods Istio deploys
    for a `Gateway` of an Istio class (labelled with the gateway name and its
    infrastructure labels). Reported once per policy, naming the gateways it selects.

    ## Why it matters
    Istio ignores workload selectors on gateways it deploys for the Gateway API: the
    policy silently does not apply there. Attach it with `targetRefs` to the Gateway.

    ## Example
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      gatewayClassName: istio
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: gateway-deny
    spec:
      action: DENY
      selector:  # <-
        matchLabels:
          gateway.networking.k8s.io/gateway-name: bookinfo-gateway
      rules:
      - to:
        - operation:
            paths: ["/admin*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      gatewayClassName: istio
      listeners:
      - {name: http, port: 80, protocol: HTTP}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: gateway-deny
    spec:
      action: DENY
      targetRefs:
      - group: gateway.networking.k8s.io
        kind: Gateway
        name: bookinfo-gateway
      rules:
      - to:
        - operation:
            paths: ["/admin*"]
    ```
    """

    id = "ML801"
    name = "gateway-api-ineffective-selector"
    severity = Severity.WARNING
    category = "reference"
    kinds = (*POLICY_KINDS, "Gateway", "GatewayClass", *WORKLOAD_KINDS)
    targets = POLICY_KINDS
    equivalents = Equivalents(istio="IST0166", analyzers=("k8sgateway.SelectorAnalyzer",))

    def check(self, mesh):
        pods = None
        selected: dict[tuple, list] = {}  # policies with one selector select the same pods
        for policy in mesh.of_kind(*POLICY_KINDS):
            if not policy.linted or has_target_ref(policy):
                continue
            selector = selector_of(policy)
            if selector is None:
                continue
            key = (policy.namespace, tuple(selector.items()))
            if key not in selected:
                pods = gateway_pods(mesh) if pods is None else pods
                selected[key] = [
                    (name, source)
                    for name, (labels, source) in pods.get(policy.namespace, ())
                    if selects(selector, labels)
                ]
            if selected[key]:
                yield self._report(policy, selector, selected[key])

    def _report(self, policy, selector, gateways):
        named = gateways[:MAX_NAMED]
        if len(gateways) == 1:
            name = gateways[0][0]
            what = f"Kubernetes Gateway {name}"
            attach = f"(group {GATEWAY_API}, kind Gateway, name {name})"
        else:
            what = f"Kubernetes Gateways {', '.join(name for name, _ in named)}"
            if len(gateways) > MAX_NAMED:
                what += f" and {len(gateways) - MAX_NAMED} more"
            attach = f"(group {GATEWAY_API}, kind Gateway, one per gateway)"
        return self.report(
            policy,
            ("spec", "selector"),
            f"selector {text(selector)} selects the pods of {what}, where Istio ignores "
            f"selectors: attach the policy with targetRefs {attach}",
            key=True,
            related=[related_to(source) for _, source in named],
        )
