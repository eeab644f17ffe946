"""Running sidecars should use the proxy image the injector currently injects."""

from collections import defaultdict

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.injection import (
    INJECTION_LABEL,
    INJECTOR_CONFIGMAP,
    PROXY_CONTAINER,
    REVISION_LABEL,
    injector_proxy_image,
)
from meshlint.mesh.proxy_config import image_type, parse_proxy_config
from meshlint.mesh.workloads import selects, workload_of
from meshlint.model import string_map

PROXY_IMAGE_ANNOTATION = "sidecar.istio.io/proxyImage"
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"


def _configmap_name(revision: str) -> str:
    return INJECTOR_CONFIGMAP if revision in ("", "default") else f"{INJECTOR_CONFIGMAP}-{revision}"


def injected_namespaces(mesh) -> dict[str, tuple]:
    """Namespace name -> (Namespace, injector ConfigMap name) for labelled namespaces."""
    out = {}
    for namespace in mesh.of_kind("Namespace"):
        labels = namespace.labels
        if REVISION_LABEL in labels:
            out[namespace.name] = (namespace, _configmap_name(labels[REVISION_LABEL]))
        elif labels.get(INJECTION_LABEL) == "enabled":
            out[namespace.name] = (namespace, INJECTOR_CONFIGMAP)
    return out


class ImageTypes:
    """The effective ``image.imageType`` of a pod: mesh default, then root-namespace,
    namespace and workload ProxyConfigs, then the pod's ``proxy.istio.io/config``."""

    def __init__(self, mesh) -> None:
        default = mesh.settings.mesh_config.get("defaultConfig") or {}
        self.default = image_type(default) if isinstance(default, dict) else ""
        root = mesh.settings.root_namespace
        self.root = ""
        self.namespaces: dict[str, str] = {}
        self.workloads: list[tuple[str, dict[str, str], str]] = []
        for config in mesh.of_kind("ProxyConfig"):
            variant = image_type(config.spec)
            selector = config.spec.get("selector")
            if config.namespace == root:
                self.root = variant or self.root
            elif not isinstance(selector, dict):
                self.namespaces[config.namespace] = variant
            else:
                labels = string_map(selector.get("matchLabels"))
                self.workloads.append((config.namespace, labels, variant))

    def of(self, workload) -> str:
        variant = self.root or self.default
        variant = self.namespaces.get(workload.namespace) or variant
        for namespace, labels, value in self.workloads:
            if value and namespace == workload.namespace and selects(labels, workload.labels):
                variant = value
        overrides, _ = parse_proxy_config(workload.annotations.get(PROXY_CONFIG_ANNOTATION, ""))
        variant = image_type(overrides) or variant
        return "" if variant == "default" else variant


class PodProxyImageMismatch(Rule):
    """Pods run a sidecar image other than the one the injector injects.

    ## What it does
    When the analyzed files hold the injector's ConfigMap (`istio-sidecar-injector`, or
    `istio-sidecar-injector-<revision>` for namespaces labelled `istio.io/rev`), compares
    the `istio-proxy` image of each Pod object in an injected namespace with the injector's
    image (`global.proxy.image`, or `<hub>/proxyv2:<tag>`), allowing its image-type variant
    (e.g. `-distroless`, from the mesh config, ProxyConfig resources or the pod's
    `proxy.istio.io/config`). Pods that pin their image with `sidecar.istio.io/proxyImage`
    are skipped. One finding per namespace lists its outdated pods.

    Only Pod objects (pods read back from a cluster) are checked: pod templates carry no
    injected sidecar.

    ## Why it matters
    After a control-plane upgrade, pods keep their old proxy until restarted; proxies older
    than the control plane's supported skew can misbehave or lose features.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio-sidecar-injector
      namespace: istio-system
    data:
      values: '{"global": {"hub": "docker.io/istio", "tag": "1.24.1",
        "proxy": {"image": "proxyv2"}}}'
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop  # <-
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
        image: docker.io/istio/proxyv2:1.23.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio-sidecar-injector
      namespace: istio-system
    data:
      values: '{"global": {"hub": "docker.io/istio", "tag": "1.24.1",
        "proxy": {"image": "proxyv2"}}}'
    ---
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
        image: docker.io/istio/proxyv2:1.24.1
    ```
    """

    id = "ML634"
    name = "pod-proxy-image-mismatch"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Namespace", "Pod", "ConfigMap", "ProxyConfig")
    targets = ("Namespace",)
    equivalents = Equivalents(istio="IST0158", analyzers=("injection.ImageAnalyzer",))

    def check(self, mesh):
        images = {
            c.name: injector_proxy_image(c)
            for c in mesh.of_kind("ConfigMap")
            if c.name.startswith(INJECTOR_CONFIGMAP)
        }
        if not images:
            return
        namespaces = injected_namespaces(mesh)
        variants = ImageTypes(mesh)
        mismatched = defaultdict(list)
        for pod in mesh.of_kind("Pod"):
            if pod.namespace not in namespaces or not pod.linted:
                continue
            expected = images.get(namespaces[pod.namespace][1])
            workload = workload_of(pod)
            if expected is None or workload is None:
                continue
            if workload.annotations.get(PROXY_IMAGE_ANNOTATION):
                continue
            accepted = {expected, f"{expected}-{variants.of(workload)}"}
            for field in ("containers", "initContainers"):
                items = workload.pod_spec.get(field)
                for index, container in enumerate(items if isinstance(items, list) else []):
                    if not isinstance(container, dict) or container.get("name") != PROXY_CONTAINER:
                        continue
                    if container.get("image") not in accepted:
                        mismatched[pod.namespace].append((pod, ("spec", field, index, "image")))
        for name, pods in sorted(mismatched.items()):
            namespace, configmap = namespaces[name]
            expected = images[configmap]
            names = ", ".join(sorted({p.name for p, _ in pods}))
            yield self.report(
                namespace,
                ("metadata", "name"),
                f"pods in namespace {name} run an istio-proxy image other than {expected}, "
                f"the one {configmap} injects ({names}): restart them to pick it up",
                related=[related_to(p, path, f"{p.ref} proxy image") for p, path in pods],
            )
