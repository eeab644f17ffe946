"""Zero trust: every workload in the mesh should be covered by an AuthorizationPolicy."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import selection
from meshlint.mesh.dataplane import in_mesh
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.workloads import WORKLOAD_KINDS


def covered_workloads(mesh, root: str) -> tuple[set[int], set[str], bool]:
    """Ids of the workloads a selector selects, the namespaces with a namespace-wide
    policy, and whether a mesh-wide one exists (policies attached with targetRefs do not
    select workloads and are left out)."""
    selectors: set[tuple[str | None, frozenset]] = set()
    namespaces: set[str] = set()
    mesh_wide = False
    for policy in mesh.of_kind("AuthorizationPolicy"):
        if selection.has_target_ref(policy):
            continue
        selector = selection.selector_of(policy)
        if selector is None:
            mesh_wide = mesh_wide or policy.namespace == root
            namespaces.add(policy.namespace)
            continue
        scope = None if policy.namespace == root else policy.namespace
        selectors.add((scope, frozenset(selector.items())))
    covered = {
        id(w) for scope, labels in selectors for w in mesh.workloads.matching(dict(labels), scope)
    }
    return covered, namespaces, mesh_wide


class WorkloadNotCoveredByAuthorization(Rule):
    """No AuthorizationPolicy applies to a workload of the mesh.

    ## What it does
    Lists the workloads in the mesh (sidecar or ambient) that no AuthorizationPolicy
    selects: none in their namespace without a selector or with a selector matching
    their pod labels, and none in the root namespace (mesh-wide) doing so. Policies
    attached with `targetRefs` are not counted. Nothing is reported when the analyzed
    files hold no AuthorizationPolicy at all (authorization is not in use yet, and every
    workload would be listed). This is a zero-trust hygiene check, so it reports
    information only; raise its severity (`--severity ML661=warning`) to enforce it.

    ## Why it matters
    Without an AuthorizationPolicy, Istio allows every request that reaches the workload,
    from any caller in the mesh. A zero-trust setup starts from a deny-by-default policy
    (an ALLOW policy without rules, mesh- or namespace-wide) and then allows callers
    explicitly; a workload nothing covers is open.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ratings  # <-
    spec:
      selector:
        matchLabels: {app: ratings}
      template:
        metadata:
          labels: {app: ratings, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: ratings
            image: istio/examples-bookinfo-ratings-v1
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: reviews-callers
    spec:
      selector:
        matchLabels: {app: reviews}
      rules:
      - from:
        - source:
            principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ratings
    spec:
      selector:
        matchLabels: {app: ratings}
      template:
        metadata:
          labels: {app: ratings, sidecar.istio.io/inject: "true"}
        spec:
          containers:
          - name: ratings
            image: istio/examples-bookinfo-ratings-v1
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: ratings-callers
    spec:
      selector:
        matchLabels: {app: ratings}
      rules:
      - from:
        - source:
            principals: ["cluster.local/ns/default/sa/bookinfo-reviews"]
    ```
    """

    id = "ML661"
    opt_in = True
    name = "workload-not-covered-by-authz"
    severity = Severity.INFO
    category = "security"
    kinds = ("AuthorizationPolicy", *WORKLOAD_KINDS, "Namespace", "ConfigMap")
    targets = WORKLOAD_KINDS
    equivalents = Equivalents(kiali="KIA1301")

    def check(self, mesh):
        if not mesh.of_kind("AuthorizationPolicy"):
            return  # authorization not adopted yet: every workload would be reported
        root = str(effective_mesh_config(mesh).get("rootNamespace") or "istio-system")
        covered, namespaces, mesh_wide = covered_workloads(mesh, root)
        if mesh_wide:
            return
        for workload in mesh.workloads.all:
            resource = workload.resource
            if (
                not resource.linted
                or resource.file == ASSUMED_FILE
                or id(workload) in covered
                or workload.namespace in namespaces
                or not in_mesh(mesh, workload)
            ):
                continue
            yield self.report(
                resource,
                ("metadata", "name"),
                f"no AuthorizationPolicy of namespace {workload.namespace} or of the root "
                f"namespace {root} applies to {resource.ref}: every caller in the mesh may "
                "call it",
            )
