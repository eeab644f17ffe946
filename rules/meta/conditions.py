"""Status conditions written by Istio's controllers that report a problem."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule

GATEWAY_API = "gateway.networking.k8s.io"
ROUTE_CONDITIONS = {"Accepted": "False", "Programmed": "False", "ResolvedRefs": "False"}
#: Kind -> condition type -> the status that means trouble.
NEGATIVE = {
    "Service": {"istio.io/WaypointBound": "False"},
    "ServiceEntry": {"istio.io/WaypointBound": "False"},
    "AuthorizationPolicy": {"ZtunnelAccepted": "False", "WaypointAccepted": "False"},
    "Gateway": ROUTE_CONDITIONS,
    "HTTPRoute": ROUTE_CONDITIONS,
    "GRPCRoute": ROUTE_CONDITIONS,
}
PARTIALLY_INVALID = ("AuthorizationPolicy", "WaypointAccepted", "PartiallyInvalid")


def conditions(resource):
    """(path, condition) of the status conditions; a route's are per parent."""
    status = resource.body.get("status")
    if not isinstance(status, dict):
        return
    if resource.kind in ("HTTPRoute", "GRPCRoute"):
        parents = status.get("parents")
        for p, parent in enumerate(parents if isinstance(parents, list) else []):
            items = parent.get("conditions") if isinstance(parent, dict) else None
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    yield ("status", "parents", p, "conditions", i), item
        return
    items = status.get("conditions")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield ("status", "conditions", i), item


def negative(kind: str, condition: dict) -> bool:
    kind_type, reason = str(condition.get("type")), condition.get("reason")
    if (kind, kind_type, reason) == PARTIALLY_INVALID:
        return True
    return NEGATIVE.get(kind, {}).get(kind_type) == str(condition.get("status"))


class NegativeCondition(Rule):
    """A resource's status reports that Istio could not apply it.

    ## What it does
    Reads the `status.conditions` that Istio's controllers write (present in manifests
    exported from a cluster) and reports the negative ones: `istio.io/WaypointBound=False`
    on Services and ServiceEntries, `ZtunnelAccepted=False` or `WaypointAccepted=False`
    (or `WaypointAccepted` with reason `PartiallyInvalid`) on AuthorizationPolicies, and
    `Accepted`, `Programmed` or `ResolvedRefs` = False on Gateway API Gateways, HTTPRoutes
    and GRPCRoutes (per parent). Conditions of other controllers (Argo CD, ...) are
    ignored. Points at the condition's `status`.

    ## Why it matters
    The resource is in the cluster but not in effect, or only partly: traffic is not
    routed or policies not enforced as written.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-all
    spec:
      action: CUSTOM
      provider: {name: ext-authz}
    status:
      conditions:
      - type: ZtunnelAccepted
        status: "False"  # <-
        reason: UnsupportedValue
        message: ztunnel does not support the CUSTOM action
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-all
    spec:
      action: CUSTOM
      provider: {name: ext-authz}
    status:
      conditions:
      - type: WaypointAccepted
        status: "True"
        reason: Accepted
    ```
    """

    id = "ML650"
    name = "negative-status-condition"
    severity = Severity.WARNING
    category = "reference"
    kinds = tuple(NEGATIVE)
    equivalents = Equivalents(istio="IST0171", analyzers=("conditions.ConditionAnalyzer",))

    def check_resource(self, resource, mesh):
        if resource.kind == "Gateway" and resource.group != GATEWAY_API:
            return
        for path, condition in conditions(resource):
            if not negative(resource.kind, condition):
                continue
            field = "status" if "status" in condition else "type"
            yield self.report(
                resource,
                (*path, field),
                f"{resource.ref} has condition {condition.get('type')}="
                f"{condition.get('status')} (reason {condition.get('reason') or 'none'}): "
                f"{condition.get('message') or 'no message'}",
            )
