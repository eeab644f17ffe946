"""Application containers must not run as the sidecar's user ID."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.injection import PROXY_CONTAINER, opted_out
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import WORKLOAD_KINDS, workload_of

PROXY_UID = 1337
SKIPPED_CONTAINERS = frozenset({PROXY_CONTAINER, "istio-operator"})


def control_plane(resource, workload) -> bool:
    """Istio's own components: an ``istio`` label, or ``release: istio``."""
    for labels in (resource.labels, workload.labels):
        if "istio" in labels or labels.get("release") == "istio":
            return True
    return False


def proxy_uid_paths(workload) -> list[tuple]:
    """Paths of every ``runAsUser: 1337`` at pod level and in application containers."""
    spec_path = (*workload.template_path, "spec")
    paths = []
    context = workload.pod_spec.get("securityContext")
    if isinstance(context, dict) and as_int(context.get("runAsUser")) == PROXY_UID:
        paths.append((*spec_path, "securityContext", "runAsUser"))
    containers = workload.pod_spec.get("containers")
    for index, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, dict) or container.get("name") in SKIPPED_CONTAINERS:
            continue
        context = container.get("securityContext")
        if isinstance(context, dict) and as_int(context.get("runAsUser")) == PROXY_UID:
            paths.append((*spec_path, "containers", index, "securityContext", "runAsUser"))
    return paths


class ApplicationUsesProxyUID(Rule):
    """A workload runs application containers as user ID 1337, the sidecar's UID.

    ## What it does
    Reports Pods and the pod templates of workload controllers whose pod-level
    `securityContext.runAsUser`, or an application container's, is 1337. The `istio-proxy`
    container, Istio's control-plane workloads (an `istio` label or `release: istio`),
    workloads that opt out of injection, and injected gateways (whose only container is
    the proxy, `image: auto` with `inject.istio.io/templates: gateway`) are skipped. Init
    containers are not checked: running them as 1337 is the documented way to let them
    reach the network before the sidecar starts. One finding per workload, at the first
    offending field; the others are listed as related.

    ## Why it matters
    The sidecar's traffic capture exempts UID 1337 so that Envoy's own traffic is not
    looped back: an application running as 1337 bypasses the proxy entirely (no mTLS,
    policy or telemetry on its outbound traffic).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: helloworld
    spec:
      selector:
        matchLabels: {app: helloworld}
      template:
        metadata:
          labels: {app: helloworld}
        spec:
          securityContext:
            runAsUser: 1337  # <-
          containers:
          - name: helloworld
            image: helloworld:v1
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: helloworld
    spec:
      selector:
        matchLabels: {app: helloworld}
      template:
        metadata:
          labels: {app: helloworld}
        spec:
          securityContext:
            runAsUser: 1000
          containers:
          - name: helloworld
            image: helloworld:v1
    ```
    """

    id = "ML610"
    name = "application-uid-1337"
    severity = Severity.WARNING
    category = "security"
    kinds = WORKLOAD_KINDS
    equivalents = Equivalents(istio="IST0144", analyzers=("deployment.ApplicationUIDAnalyzer",))

    def check_resource(self, resource, mesh):
        workload = workload_of(resource)
        if workload is None or control_plane(resource, workload) or opted_out(workload):
            return
        if workload.proxy_only:  # an injected gateway: no application container
            return
        paths = proxy_uid_paths(workload)
        if not paths:
            return
        yield self.report(
            resource,
            paths[0],
            f"{resource.ref} runs as user ID {PROXY_UID}, which is reserved for the Istio "
            "sidecar: its traffic bypasses the proxy",
            related=[related_to(resource, p, "also runs as 1337") for p in paths[1:]],
        )
