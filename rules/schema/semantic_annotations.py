"""Annotations Istio's webhook rejects on its resources."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.values import mapping

ISTIO_KINDS = (
    "Gateway",
    "VirtualService",
    "DestinationRule",
    "ServiceEntry",
    "Sidecar",
    "WorkloadEntry",
    "WorkloadGroup",
    "EnvoyFilter",
    "ProxyConfig",
    "AuthorizationPolicy",
    "PeerAuthentication",
    "RequestAuthentication",
    "Telemetry",
    "WasmPlugin",
    "TrafficExtension",
)
DRY_RUN = "istio.io/dry-run"
ALWAYS_REJECT = "internal.istio.io/webhook-always-reject"
INTERNAL_PARENTS = "internal.istio.io/parent"
_GO_BOOLS = frozenset(
    {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}
)


class AnnotationRejected(SemanticRule):
    """An annotation makes Istio's webhook reject the resource.

    ## What it does
    Checks the annotations Istio's validating webhook looks at on every Istio resource:
    `istio.io/dry-run` is only supported on AuthorizationPolicy, with an ALLOW or DENY
    action and a boolean value; `internal.istio.io/webhook-always-reject` and the
    `internal.istio.io/parents` bookkeeping annotation are never accepted from users.

    ## Why it matters
    `kubectl apply` fails with an admission error, so the whole change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
      annotations:
        istio.io/dry-run: "true"  # <-
    spec:
      host: reviews
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-post
      annotations:
        istio.io/dry-run: "true"
    spec:
      action: DENY
      rules:
      - to:
        - operation: {methods: [POST]}
    ```
    """

    id = "ML730"
    name = "istio-annotation-rejected"
    severity = Severity.ERROR
    kinds = ISTIO_KINDS
    equivalents = REJECTED

    def issues(self, resource):
        annotations = mapping(resource.metadata.get("annotations"))
        base = ("metadata", "annotations")
        for key, value in annotations.items():
            path = (*base, key)
            if key == ALWAYS_REJECT:
                yield path, f'"{key}" annotation found: the webhook always rejects it'
            elif key.startswith(INTERNAL_PARENTS):
                yield path, f'"{key}" is set by Istio for generated config; remove it'
            elif key == DRY_RUN:
                yield from self._dry_run(resource, path, value)

    def _dry_run(self, resource, path, value):
        if resource.kind != "AuthorizationPolicy":
            yield path, f"{DRY_RUN} is only supported on AuthorizationPolicy: remove it"
            return
        action = resource.spec.get("action") or "ALLOW"
        if action not in ("ALLOW", "DENY"):
            yield path, f"{DRY_RUN} only supports action ALLOW or DENY, not {action}"
        elif isinstance(value, str) and value not in _GO_BOOLS:
            yield path, f'{DRY_RUN} must be "true" or "false", not "{value}"'
