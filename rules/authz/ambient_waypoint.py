"""HTTP policies in ambient namespaces need a waypoint and targetRefs."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import waypoints
from meshlint.mesh.selection import has_target_ref, selector_of
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource


def always(_: Resource) -> str | None:
    return "it"


def jwt(_: Resource) -> str | None:
    return "JWT validation"


def targets_key(policy: Resource) -> tuple:
    """What decides a policy's targets: namespace, target refs and selector."""
    refs = policy.spec.get("targetRefs") or [policy.spec.get("targetRef")]
    names = tuple((str(r.get("kind")), str(r.get("name"))) for r in refs if isinstance(r, dict))
    return policy.namespace, names, frozenset((selector_of(policy) or {}).items())


class AmbientPolicyRule(Rule):
    """Shared check for policies of ambient namespaces whose HTTP part (``l7`` says why
    there is one) only a waypoint applies. ``missing_target_refs`` selects the check:
    attached without targetRefs, or reaching workloads that use no waypoint."""

    policy_kind = ""
    missing_target_refs = True
    #: Why the policy needs a waypoint (None when it does not).
    l7 = staticmethod(always)

    def check(self, mesh):
        answers: dict[tuple, bool] = {}  # policies often share their targets
        for policy in mesh.of_kind(self.policy_kind):
            if not policy.linted or not waypoints.ambient_namespace(mesh, policy.namespace):
                continue
            reason = self.l7(policy)
            if reason is None:
                continue
            if self.missing_target_refs:
                if not has_target_ref(policy):
                    yield self._no_target_refs(policy, reason)
                continue
            key = targets_key(policy)
            if key not in answers:
                answers[key] = waypoints.targets_not_enrolled(mesh, policy)
            if answers[key]:
                yield self._not_enrolled(policy, reason)

    def _anchor(self, policy: Resource) -> tuple[tuple, bool]:
        for field in ("targetRefs", "targetRef", "selector"):
            if field in policy.spec:
                return ("spec", field), True
        return ("metadata", "name"), False

    def _no_target_refs(self, policy: Resource, reason: str):
        path, key = self._anchor(policy)
        attached = "with a selector" if selector_of(policy) else "namespace-wide"
        return self.report(
            policy,
            path,
            f"{policy.kind} of ambient namespace {policy.namespace} is attached {attached}, "
            f"but {reason} needs a waypoint, and waypoints only take policies attached with "
            "targetRefs (to a Service or the waypoint Gateway)",
            key=key,
        )

    def _not_enrolled(self, policy: Resource, reason: str):
        path, key = self._anchor(policy)
        return self.report(
            policy,
            path,
            f"{reason} needs a waypoint, but the traffic this {policy.kind} reaches does not "
            f"use one (no istio.io/use-waypoint label on the targets or on namespace "
            f"{policy.namespace}): that part is never applied",
            key=key,
        )


class AuthorizationPolicyAmbientSelector(AmbientPolicyRule):
    """An HTTP AuthorizationPolicy of an ambient namespace is not attached with targetRefs.

    ## What it does
    In namespaces whose Namespace object has `istio.io/dataplane-mode: ambient`, reports
    AuthorizationPolicies with HTTP attributes (methods, paths, hosts, request
    principals, `request.*` conditions) that have no `targetRefs`.

    ## Why it matters
    ztunnel enforces policies attached by selector but cannot see HTTP: an ALLOW rule
    with HTTP attributes never matches there (so traffic is denied) and a DENY rule
    with them is ignored. Waypoints, which can apply them, only take policies attached
    with `targetRefs`.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: read-only
      namespace: shop
    spec:
      selector:  # <-
        matchLabels: {app: catalog}
      rules:
      - to:
        - operation:
            methods: [GET]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: read-only
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      rules:
      - to:
        - operation:
            methods: [GET]
    ```
    """

    id = "ML540"
    name = "authz-ambient-no-target-refs"
    severity = Severity.WARNING
    category = "security"
    kinds = ("AuthorizationPolicy", "Namespace")
    targets = ("AuthorizationPolicy",)
    equivalents = Equivalents(kiali="KIA0110")
    policy_kind = "AuthorizationPolicy"
    l7 = staticmethod(waypoints.l7_authorization)


class AuthorizationPolicyAmbientNoWaypoint(AmbientPolicyRule):
    """An HTTP AuthorizationPolicy of an ambient namespace reaches traffic no waypoint
    handles.

    ## What it does
    In ambient namespaces, for AuthorizationPolicies with HTTP attributes, checks that
    their targets use a waypoint (`istio.io/use-waypoint`, not `none`): the target
    Services of `targetRefs`, the workloads the selector selects, or else the namespace.
    A resource's own label wins over its namespace's.

    ## Why it matters
    Without a waypoint, nothing in the path can read HTTP: the HTTP rules of the policy
    never apply, and an ALLOW policy that relies on them denies the traffic at ztunnel.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: read-only
      namespace: shop
    spec:
      targetRefs:  # <-
      - {kind: Service, group: "", name: catalog}
      rules:
      - to:
        - operation:
            methods: [GET]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: read-only
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      rules:
      - to:
        - operation:
            methods: [GET]
    ```
    """

    id = "ML541"
    name = "authz-ambient-no-waypoint"
    severity = Severity.WARNING
    category = "security"
    kinds = ("AuthorizationPolicy", "Namespace", "Service", *WORKLOAD_KINDS)
    targets = ("AuthorizationPolicy",)
    equivalents = Equivalents(kiali="KIA0109")
    policy_kind = "AuthorizationPolicy"
    missing_target_refs = False
    l7 = staticmethod(waypoints.l7_authorization)


class RequestAuthenticationAmbientSelector(AmbientPolicyRule):
    """A RequestAuthentication of an ambient namespace is not attached with targetRefs.

    ## What it does
    In ambient namespaces, reports RequestAuthentications without `targetRefs`.

    ## Why it matters
    JWT validation happens in a waypoint, and waypoints ignore policies attached by
    selector or namespace: tokens are never checked, and AuthorizationPolicies relying on
    request principals or claims deny everything or match nothing.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
      namespace: shop
    spec:
      selector:  # <-
        matchLabels: {app: catalog}
      jwtRules:
      - issuer: https://issuer.example.com
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      jwtRules:
      - issuer: https://issuer.example.com
    ```
    """

    id = "ML542"
    name = "requestauthn-ambient-no-target-refs"
    severity = Severity.WARNING
    category = "security"
    kinds = ("RequestAuthentication", "Namespace")
    targets = ("RequestAuthentication",)
    equivalents = Equivalents(kiali="KIA1115")
    policy_kind = "RequestAuthentication"
    l7 = staticmethod(jwt)


class RequestAuthenticationAmbientNoWaypoint(AmbientPolicyRule):
    """A RequestAuthentication of an ambient namespace reaches traffic no waypoint
    handles.

    ## What it does
    In ambient namespaces, checks that the targets of each RequestAuthentication use a
    waypoint (`istio.io/use-waypoint`): its target Services, the workloads its selector
    selects, or else its namespace.

    ## Why it matters
    Only a waypoint validates JWTs in ambient mode: without one, tokens are not checked.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
      namespace: shop
    spec:
      targetRefs:  # <-
      - {kind: Service, group: "", name: catalog}
      jwtRules:
      - issuer: https://issuer.example.com
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      jwtRules:
      - issuer: https://issuer.example.com
    ```
    """

    id = "ML543"
    name = "requestauthn-ambient-no-waypoint"
    severity = Severity.WARNING
    category = "security"
    kinds = ("RequestAuthentication", "Namespace", "Service", *WORKLOAD_KINDS)
    targets = ("RequestAuthentication",)
    equivalents = Equivalents(kiali="KIA1110")
    policy_kind = "RequestAuthentication"
    missing_target_refs = False
    l7 = staticmethod(jwt)
