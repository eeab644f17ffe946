"""A workload should ask for one data plane: a sidecar or ambient, not both."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.injection import (
    DATAPLANE_MODE_LABEL,
    is_ambient,
    namespace_injects,
    namespace_resource,
    opt_in,
    proxy_container,
    would_be_injected,
)
from meshlint.mesh.workloads import WORKLOAD_KINDS, Workload, workload_of


def wants_ambient(workload: Workload, namespace_labels: dict[str, str]) -> bool:
    own = workload.labels.get(DATAPLANE_MODE_LABEL)
    return own == "ambient" or (own != "none" and is_ambient(namespace_labels))


def own_choice(workload: Workload) -> bool:
    """Whether the workload's own labels or containers take part in the choice."""
    return (
        DATAPLANE_MODE_LABEL in workload.labels
        or opt_in(workload) is not None
        or proxy_container(workload.pod_spec) is not None
    )


class SidecarAndAmbient(Rule):
    """A workload is enrolled both for sidecar injection and for ambient mode.

    ## What it does
    Reports a Namespace whose labels turn on both sidecar injection (`istio-injection:
    enabled` or a revision label) and ambient mode (`istio.io/dataplane-mode: ambient`),
    and a workload whose own labels (`istio.io/dataplane-mode`,
    `sidecar.istio.io/inject`) or containers, together with its namespace's, ask for
    both. Kiali reports this as an error; meshlint as a warning, since Istio resolves it
    deterministically.

    ## Why it matters
    The sidecar wins: ztunnel leaves pods with a sidecar alone. A workload meant to move
    to ambient keeps its sidecar (and its resource cost), and waypoint policies written
    for it never apply; one meant to keep its sidecar looks ambient in the manifests.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cart
      namespace: shop
    spec:
      selector:
        matchLabels: {app: cart}
      template:
        metadata:
          labels:  # <-
            app: cart
            sidecar.istio.io/inject: "true"
        spec:
          containers:
          - name: cart
            image: example/cart
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cart
      namespace: shop
    spec:
      selector:
        matchLabels: {app: cart}
      template:
        metadata:
          labels:
            app: cart
        spec:
          containers:
          - name: cart
            image: example/cart
    ```
    """

    id = "ML662"
    name = "workload-sidecar-and-ambient"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Namespace", *WORKLOAD_KINDS, "MutatingWebhookConfiguration")
    targets = ("Namespace", *WORKLOAD_KINDS)
    equivalents = Equivalents(kiali="KIA1311")

    def check(self, mesh):
        for namespace in mesh.of_kind("Namespace"):
            labels = namespace.labels
            if namespace.linted and is_ambient(labels) and namespace_injects(labels):
                yield self.report(
                    namespace,
                    ("metadata", "labels"),
                    f"namespace {namespace.name} enables both sidecar injection and ambient "
                    "mode: its pods get sidecars, and ztunnel ignores them",
                    key=True,
                )
        for resource in mesh.of_kind(*WORKLOAD_KINDS):
            workload = workload_of(resource) if resource.linted else None
            if workload is not None and own_choice(workload):
                yield from self._check_workload(workload, mesh)

    def _check_workload(self, workload, mesh):
        namespace = namespace_resource(mesh, workload.namespace)
        labels = namespace.labels if namespace is not None else {}
        sidecar = proxy_container(workload.pod_spec) is not None
        if not sidecar:
            sidecar = would_be_injected(workload, mesh) is True
        if not (sidecar and wants_ambient(workload, labels)):
            return
        yield self.report(
            workload.resource,
            (*workload.template_path, "metadata", "labels"),
            "the pods are enrolled both for a sidecar and for ambient mode (own labels and "
            f"namespace {workload.namespace}'s): the sidecar wins and ztunnel ignores them",
            key=True,
        )
