"""AuthorizationPolicies must apply to at least one workload in the mesh."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import selection
from meshlint.mesh.dataplane import in_mesh
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.workloads import WORKLOAD_KINDS


class AuthorizationPolicyNoWorkload(Rule):
    """An AuthorizationPolicy applies to no workload in the mesh.

    ## What it does
    Matches `spec.selector.matchLabels` against the Pods and pod templates (Deployments,
    StatefulSets, ...) of the policy's namespace, or of every namespace for a policy in
    the root namespace (`istio-system` unless the mesh config says otherwise), which is
    mesh-wide. A policy without a selector applies to its whole namespace, and is reported
    when that namespace has no workload. Only workloads in the mesh count: an injected
    sidecar (container, label, annotation or namespace label) or ambient mode. Points at
    the selector label no workload carries.

    Offline, a namespace whose workloads are not in the analyzed files is not reported
    (unless `--assume-complete`); neither is a root-namespace selector that matches no
    workload in the files, since any namespace may hold the match. Policies attached with
    `targetRefs` do not select workloads and are skipped (Istio reports them as
    namespace-wide policies).

    ## Why it matters
    A policy that selects nothing enforces nothing. An ALLOW policy meant to restrict a
    workload leaves it open; a DENY policy blocks nothing. A typo in a label is enough.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: httpbin
    spec:
      selector:
        matchLabels: {app: httpbin}
      template:
        metadata:
          labels: {app: httpbin, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: httpbin
            image: mccutchen/go-httpbin
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: httpbin-deny
    spec:
      action: DENY
      selector:
        matchLabels:
          app: httbin  # <-
      rules:
      - to:
        - operation:
            paths: ["/admin*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: httpbin
    spec:
      selector:
        matchLabels: {app: httpbin}
      template:
        metadata:
          labels: {app: httpbin, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: httpbin
            image: mccutchen/go-httpbin
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: httpbin-deny
    spec:
      action: DENY
      selector:
        matchLabels:
          app: httpbin
      rules:
      - to:
        - operation:
            paths: ["/admin*"]
    ```
    """

    id = "ML501"
    name = "authz-no-matching-workload"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("AuthorizationPolicy", *WORKLOAD_KINDS, "Namespace", "ConfigMap")
    targets = ("AuthorizationPolicy",)
    equivalents = Equivalents(
        istio="IST0127", analyzers=("authz.AuthorizationPoliciesAnalyzer",), kiali="KIA0004"
    )
    hints_from_whole_mesh = True

    def check(self, mesh):
        root = str(effective_mesh_config(mesh).get("rootNamespace") or "istio-system")
        answers: dict[str, object] = {}  # namespace-wide policies of one namespace share it
        for policy in mesh.of_kind("AuthorizationPolicy"):
            if policy.linted and not selection.has_target_ref(policy):
                yield from self._check_policy(policy, policy.namespace == root, answers, mesh)

    def _check_policy(self, policy, mesh_wide, answers, mesh):
        selector = selection.selector_of(policy)
        if selector is None:
            if not mesh_wide:
                yield from self._namespace_wide(policy, answers, mesh)
            return
        namespace = None if mesh_wide else policy.namespace
        resolution, path, message = selection.selector_answer(
            mesh, tuple(selector.items()), namespace, selection.POLICY_SELECTOR, in_mesh
        )
        yield from self.unresolved(policy, path, resolution, message)

    def _namespace_wide(self, policy, answers, mesh):
        if policy.namespace not in answers:
            answers[policy.namespace] = selection.select_workloads(
                mesh, {}, policy.namespace, lambda w: in_mesh(mesh, w)
            )
        resolution = answers[policy.namespace]
        message = (
            f"namespace-wide policy applies to nothing: namespace {policy.namespace} has no "
            "workload in the mesh"
        )
        field = "namespace" if "namespace" in policy.metadata else "name"
        yield from self.unresolved(policy, ("metadata", field), resolution, message)
