"""HTTP policies in ambient namespaces need a waypoint and targetRefs."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents
from meshlint.mesh import waypoints
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.rulebases.ambient import AmbientPolicyRule, jwt


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
