"""Policy ``targetRef``/``targetRefs`` kinds Istio can attach a policy to."""

import re

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.walk import enumerate_maps

#: (group, kind) pairs a policy may target; "" is the core group.
ALLOWED = frozenset(
    {
        ("", "Service"),
        ("networking.istio.io", "ServiceEntry"),
        ("gateway.networking.k8s.io", "Gateway"),
        ("gateway.networking.k8s.io", "GatewayClass"),
    }
)


#: The CRD's own patterns: malformed groups and kinds are the schema's to report.
_KIND = re.compile(r"[a-zA-Z](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")
_GROUP = re.compile(r"|[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*")


def _refs(spec):
    if isinstance(spec.get("targetRef"), dict):
        yield ("spec", "targetRef"), spec["targetRef"]
    yield from enumerate_maps(spec.get("targetRefs"), ("spec", "targetRefs"))


class TargetRefKindUnsupported(SemanticRule):
    """A policy's `targetRef` names a kind Istio cannot attach policies to.

    ## What it does
    Checks `targetRef` and `targetRefs` of AuthorizationPolicy, RequestAuthentication,
    Telemetry and WasmPlugin: they may point at a core `Service`, a `ServiceEntry`
    (`networking.istio.io`) or a Gateway API `Gateway` or `GatewayClass`
    (`gateway.networking.k8s.io`), with the group spelled out for non-core kinds.

    ## Why it matters
    The webhook rejects the resource; a policy attached to anything else would never apply.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-get
    spec:
      targetRefs:
      - kind: Deployment  # <-
        group: apps
        name: productpage
      rules:
      - to:
        - operation: {methods: [GET]}
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-get
    spec:
      targetRefs:
      - kind: Service
        group: ""
        name: productpage
      rules:
      - to:
        - operation: {methods: [GET]}
    ```
    """

    id = "ML737"
    name = "target-ref-kind-unsupported"
    severity = Severity.ERROR
    kinds = ("AuthorizationPolicy", "RequestAuthentication", "Telemetry", "WasmPlugin")
    equivalents = REJECTED

    def issues(self, resource):
        for path, ref in _refs(resource.spec):
            kind, group = ref.get("kind"), ref.get("group") or ""
            if not isinstance(kind, str) or not isinstance(group, str):
                continue
            if not _KIND.fullmatch(kind) or not _GROUP.fullmatch(group):
                continue
            if (("" if group == "core" else group), kind) not in ALLOWED:
                shown = f"{group}/{kind}" if group else kind
                yield (
                    (*path, "kind"),
                    (
                        f"cannot attach a policy to {shown}: targetRef must be a Service, a "
                        "ServiceEntry (networking.istio.io), or a Gateway or GatewayClass "
                        "(gateway.networking.k8s.io)"
                    ),
                )
