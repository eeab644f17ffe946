"""Pods in injected namespaces must run the sidecar."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.injection import (
    is_ambient,
    namespace_injects,
    namespace_resource,
    opted_out,
    proxy_container,
)
from meshlint.mesh.workloads import workload_of

AMBIENT_REDIRECTION = "ambient.istio.io/redirection"


class PodMissingProxy(Rule):
    """A Pod in a namespace with sidecar injection has no `istio-proxy` container.

    ## What it does
    For each `kind: Pod` object whose Namespace object (in the analyzed files) turns
    injection on (`istio-injection=enabled`, or an `istio.io/rev` label), reports the Pod
    when it has no `istio-proxy` container (regular or native sidecar) with an image. Pods
    that opt out (`sidecar.istio.io/inject: "false"` label or annotation), use the host
    network, or are redirected by ambient mode are skipped.

    Only Pod objects are checked, as pods read back from a cluster (`kubectl get pod -o
    yaml`): the pod templates of Deployments and other controllers are pods *before*
    admission, which never contain the sidecar the injector adds, so they are not checked.

    ## Why it matters
    The pod was created before injection was enabled, or the injector did not run: its
    traffic bypasses the mesh (no mTLS, policies or telemetry) until it is restarted.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio-injection: enabled
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: cart
      namespace: shop
    spec:
      containers:  # <-
      - name: cart
        image: cart:v1
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio-injection: enabled
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: cart
      namespace: shop
    spec:
      containers:
      - name: cart
        image: cart:v1
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.24.0
    ```

    ## Compared with Istio and Kiali
    - istioctl does not check pods in a namespace labelled only `istio.io/rev` for
      IST0103: its analyzer looks at the legacy `istio-injection` label alone. A revision
      label injects just as well, so meshlint checks both.
    """

    id = "ML631"
    name = "pod-missing-proxy"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Namespace", "Pod")
    equivalents = Equivalents(istio="IST0103", analyzers=("injection.Analyzer",))

    def check_resource(self, resource, mesh):
        if resource.kind != "Pod":
            return
        namespace = namespace_resource(mesh, resource.namespace)
        if namespace is None or is_ambient(namespace.labels):
            return
        if not namespace_injects(namespace.labels):
            return
        workload = workload_of(resource)
        if workload is None or opted_out(workload) or proxy_container(workload.pod_spec):
            return
        if workload.pod_spec.get("hostNetwork") is True:
            return
        if workload.annotations.get(AMBIENT_REDIRECTION) == "enabled":
            return
        yield self.report(
            resource,
            ("spec", "containers"),
            f"pod {resource.qualified_name} has no istio-proxy container although "
            f"namespace {namespace.name} injects sidecars: restart or redeploy it",
            key=True,
            related=[related_to(namespace, ("metadata", "labels"), "injection enabled here")],
        )
