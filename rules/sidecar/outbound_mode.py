"""A Sidecar's outboundTrafficPolicy should say which mode it wants."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule


class SidecarOutboundModeUnset(Rule):
    """A Sidecar sets `outboundTrafficPolicy` without a `mode`.

    ## What it does
    Reports `spec.outboundTrafficPolicy` when it is present but has no `mode`. (With an
    `egressProxy` and no `ALLOW_ANY` mode the webhook rejects the Sidecar:
    `sidecar-outbound-policy-invalid` reports that case.)

    ## Why it matters
    The mode defaults to `REGISTRY_ONLY` for that Sidecar, whatever the mesh-wide
    `outboundTrafficPolicy` is (Istio's default is `ALLOW_ANY`). An empty or half-written
    block therefore blocks every host outside the service registry for the selected
    workloads. Kiali cannot tell an unset mode from `REGISTRY_ONLY` and flags both; a
    manifest can, so only the unset mode is reported.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts: ["./*", "istio-system/*"]
      outboundTrafficPolicy: {}  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts: ["./*", "istio-system/*"]
      outboundTrafficPolicy:
        mode: REGISTRY_ONLY
    ```
    """

    id = "ML472"
    name = "sidecar-outbound-mode-unset"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Sidecar",)
    equivalents = Equivalents(kiali="KIA1007")

    def check_resource(self, sidecar, mesh):
        spec = sidecar.spec
        if "outboundTrafficPolicy" not in spec:
            return
        policy = spec["outboundTrafficPolicy"]
        if policy is not None and not isinstance(policy, dict):
            return
        policy = policy or {}
        if policy.get("mode") or "egressProxy" in policy:
            return
        yield self.report(
            sidecar,
            ("spec", "outboundTrafficPolicy"),
            "outboundTrafficPolicy has no mode, so it is REGISTRY_ONLY for these workloads "
            "(not the mesh's setting): set mode to REGISTRY_ONLY or ALLOW_ANY explicitly",
        )
