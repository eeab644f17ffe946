"""`image: auto` is only replaced when the sidecar injector processes the pod."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.injection import PROXY_CONTAINER, looks_live, would_be_injected
from meshlint.mesh.workloads import WORKLOAD_KINDS, workload_of

AUTO = "auto"
CONTROLLERS = tuple(k for k in WORKLOAD_KINDS if k != "Pod")
CONTEXT = ("Namespace", "MutatingWebhookConfiguration")


def auto_image_path(workload) -> tuple | None:
    """Path of the first ``istio-proxy`` container whose image is ``auto``."""
    for field in ("containers", "initContainers"):
        items = workload.pod_spec.get(field)
        for index, container in enumerate(items if isinstance(items, list) else []):
            if (
                isinstance(container, dict)
                and container.get("name") == PROXY_CONTAINER
                and container.get("image") == AUTO
            ):
                return (*workload.template_path, "spec", field, index, "image")
    return None


def _message(resource) -> str:
    return (
        f"{resource.ref} has an istio-proxy container with `image: auto`, but no Istio "
        "injection webhook matches its namespace and pod labels: the image is never "
        "replaced and the pod cannot start (label the namespace istio-injection=enabled or "
        'the pod sidecar.istio.io/inject: "true")'
    )


class ImageAutoNotInjected(Rule):
    """A workload's pod template uses `image: auto` but its pods will not be injected.

    ## What it does
    For Deployments and the other workload controllers whose pod template has an
    `istio-proxy` container with `image: auto` (the gateway-injection pattern), decides
    whether admission will inject the pods: with the Istio injection webhooks
    (MutatingWebhookConfigurations) in the analyzed files when there are any, else with
    Istio's default ones (namespace `istio-injection=enabled` or `istio.io/rev`, or the pod
    label `sidecar.istio.io/inject: "true"`). Nothing is reported when the answer depends
    on the labels of a namespace the files do not define.

    ## Why it matters
    `auto` is a placeholder that only the injector replaces; without injection the pods
    fail to pull the image `auto` and never start.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: ingress
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ingressgateway
      namespace: ingress
    spec:
      selector:
        matchLabels: {istio: ingressgateway}
      template:
        metadata:
          annotations:
            inject.istio.io/templates: gateway
          labels:
            istio: ingressgateway
        spec:
          containers:
          - name: istio-proxy
            image: auto  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: ingress
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ingressgateway
      namespace: ingress
    spec:
      selector:
        matchLabels: {istio: ingressgateway}
      template:
        metadata:
          annotations:
            inject.istio.io/templates: gateway
          labels:
            istio: ingressgateway
            sidecar.istio.io/inject: "true"
        spec:
          containers:
          - name: istio-proxy
            image: auto
    ```
    """

    id = "ML635"
    name = "image-auto-not-injected"
    severity = Severity.WARNING
    category = "reference"
    kinds = (*CONTROLLERS, *CONTEXT)
    equivalents = Equivalents(istio="IST0146", analyzers=("injection.ImageAutoAnalyzer",))

    def check_resource(self, resource, mesh):
        workload = workload_of(resource)
        if workload is None or resource.kind not in CONTROLLERS:
            return
        path = auto_image_path(workload)
        if path is not None and would_be_injected(workload, mesh) is False:
            yield self.report(resource, path, _message(resource))


class PodImageAutoNotInjected(Rule):
    """A Pod has an `istio-proxy` container with `image: auto` that was not, or will not
    be, replaced.

    ## What it does
    Reports Pod objects with an `istio-proxy` container whose image is `auto` when the pod
    was read back from a cluster (it has a `status`: injection already failed), or when
    admission will not inject it (the same webhook matching as `image-auto-not-injected`).
    Istio reports every such Pod because it sees running pods; a Pod manifest that is yet
    to be applied is only reported when it will not be injected.

    ## Why it matters
    `auto` is a placeholder that only the injector replaces: the pod cannot pull it and
    never starts.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: gateway
      namespace: shop
    spec:
      containers:
      - name: istio-proxy
        image: auto  # <-
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
      name: gateway
      namespace: shop
    spec:
      containers:
      - name: istio-proxy
        image: auto
    ```
    """

    id = "ML636"
    name = "pod-image-auto-not-injected"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("Pod", *CONTEXT)
    equivalents = Equivalents(istio="IST0147", analyzers=("injection.ImageAutoAnalyzer",))

    def check_resource(self, resource, mesh):
        workload = workload_of(resource) if resource.kind == "Pod" else None
        if workload is None:
            return
        path = auto_image_path(workload)
        if path is None:
            return
        if looks_live(resource) or would_be_injected(workload, mesh) is False:
            yield self.report(resource, path, _message(resource))
