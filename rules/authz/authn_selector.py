"""PeerAuthentication and RequestAuthentication selectors must select a workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import selection
from meshlint.mesh.dataplane import in_mesh
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.workloads import WORKLOAD_KINDS


class AuthnSelectorNoWorkload(Rule):
    """Shared check: the ``spec.selector`` of a policy of ``policy_kind`` selects no
    workload of the mesh in its namespace (in any namespace from the root namespace)."""

    policy_kind = ""

    def check(self, mesh):
        root = str(effective_mesh_config(mesh).get("rootNamespace") or "istio-system")
        for policy in mesh.of_kind(self.policy_kind):
            if not policy.linted or selection.has_target_ref(policy):
                continue
            selector = selection.selector_of(policy)
            if selector is None:
                continue
            namespace = None if policy.namespace == root else policy.namespace
            resolution, path, message = selection.selector_answer(
                mesh, tuple(selector.items()), namespace, selection.POLICY_SELECTOR, in_mesh
            )
            yield from self.unresolved(policy, path, resolution, message)


class PeerAuthenticationNoWorkload(AuthnSelectorNoWorkload):
    """A PeerAuthentication's selector matches no workload in the mesh.

    ## What it does
    Matches `spec.selector.matchLabels` against the Pods and pod templates of the
    policy's namespace (of every namespace for a policy in the root namespace), counting
    only workloads in the mesh (sidecar or ambient), and points at the label no workload
    carries. A namespace whose workloads are not in the analyzed files is not reported
    unless `--assume-complete` is given; neither is a root-namespace selector that matches
    nothing in the files.

    ## Why it matters
    The policy applies to nothing: the workload keeps the namespace or mesh mTLS mode.
    A STRICT policy meant to lock down one workload leaves it accepting plain text, and
    a PERMISSIVE or DISABLE exception meant for a legacy client never applies, so that
    client's connections are refused.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: payments
    spec:
      selector:
        matchLabels: {app: payments}
      template:
        metadata:
          labels: {app: payments, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: payments
            image: example/payments
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: payments-strict
    spec:
      selector:
        matchLabels:
          app: payment  # <-
      mtls: {mode: STRICT}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: payments
    spec:
      selector:
        matchLabels: {app: payments}
      template:
        metadata:
          labels: {app: payments, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: payments
            image: example/payments
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: payments-strict
    spec:
      selector:
        matchLabels:
          app: payments
      mtls: {mode: STRICT}
    ```
    """

    id = "ML525"
    name = "peerauthn-selector-no-workload"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("PeerAuthentication", *WORKLOAD_KINDS, "Namespace", "ConfigMap")
    targets = ("PeerAuthentication",)
    equivalents = Equivalents(kiali="KIA0004")
    hints_from_whole_mesh = True
    policy_kind = "PeerAuthentication"


class RequestAuthenticationNoWorkload(AuthnSelectorNoWorkload):
    """A RequestAuthentication's selector matches no workload in the mesh.

    ## What it does
    Matches `spec.selector.matchLabels` against the Pods and pod templates of the
    policy's namespace (of every namespace for a policy in the root namespace), counting
    only workloads in the mesh, and points at the label no workload carries. Policies
    attached with `targetRef`/`targetRefs` are skipped. A namespace whose workloads are
    not in the analyzed files is not reported unless `--assume-complete` is given.

    ## Why it matters
    The policy validates no token anywhere: requests carrying a forged or expired JWT are
    not rejected, and AuthorizationPolicies that rely on `requestPrincipals` or JWT claims
    for that workload deny every request, since no principal is ever set.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: api
            image: example/api
    ---
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: api-jwt
    spec:
      selector:
        matchLabels:
          app: apj  # <-
      jwtRules:
      - issuer: https://issuer.example.com
        jwksUri: https://issuer.example.com/.well-known/jwks.json
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: api
            image: example/api
    ---
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: api-jwt
    spec:
      selector:
        matchLabels:
          app: api
      jwtRules:
      - issuer: https://issuer.example.com
        jwksUri: https://issuer.example.com/.well-known/jwks.json
    ```
    """

    id = "ML526"
    name = "requestauthn-selector-no-workload"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("RequestAuthentication", *WORKLOAD_KINDS, "Namespace", "ConfigMap")
    targets = ("RequestAuthentication",)
    equivalents = Equivalents(kiali="KIA0004")
    hints_from_whole_mesh = True
    policy_kind = "RequestAuthentication"
