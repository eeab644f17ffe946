"""WasmPlugins in ambient namespaces need a waypoint and targetRefs."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource
from meshlint.rulebases.ambient import AmbientPolicyRule


def wasm(_: Resource) -> str | None:
    return "a Wasm filter"


class WasmPluginAmbientSelector(AmbientPolicyRule):
    """A WasmPlugin of an ambient namespace is not attached with targetRefs.

    ## What it does
    In namespaces whose Namespace object has `istio.io/dataplane-mode: ambient`, reports
    WasmPlugins without `targetRefs`.

    ## Why it matters
    Wasm filters run in Envoy, so in ambient mode only in waypoints, and waypoints ignore
    plugins attached by selector or namespace: the filter (authentication, header
    rewriting, rate limiting...) silently never runs.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: extensions.istio.io/v1alpha1
    kind: WasmPlugin
    metadata:
      name: basic-auth
      namespace: shop
    spec:
      selector:  # <-
        matchLabels: {app: catalog}
      url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: extensions.istio.io/v1alpha1
    kind: WasmPlugin
    metadata:
      name: basic-auth
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
    ```
    """

    id = "ML546"
    name = "wasmplugin-ambient-no-target-refs"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("WasmPlugin", "Namespace")
    targets = ("WasmPlugin",)
    equivalents = Equivalents(kiali="KIA1116")
    policy_kind = "WasmPlugin"
    l7 = staticmethod(wasm)


class WasmPluginAmbientNoWaypoint(AmbientPolicyRule):
    """A WasmPlugin of an ambient namespace covers traffic no waypoint handles.

    ## What it does
    In ambient namespaces, checks that the targets of each WasmPlugin use a waypoint
    (`istio.io/use-waypoint`): its target Services, the workloads its selector selects,
    or else its namespace.

    ## Why it matters
    In ambient mode Wasm filters run only in waypoints: without one, the filter never
    runs and whatever it enforces is silently missing.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient}
    ---
    apiVersion: extensions.istio.io/v1alpha1
    kind: WasmPlugin
    metadata:
      name: basic-auth
      namespace: shop
    spec:
      targetRefs:  # <-
      - {kind: Service, group: "", name: catalog}
      url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}
    ---
    apiVersion: extensions.istio.io/v1alpha1
    kind: WasmPlugin
    metadata:
      name: basic-auth
      namespace: shop
    spec:
      targetRefs:
      - {kind: Service, group: "", name: catalog}
      url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
    ```
    """

    id = "ML547"
    name = "wasmplugin-ambient-no-waypoint"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("WasmPlugin", "Namespace", "Service", *WORKLOAD_KINDS)
    targets = ("WasmPlugin",)
    equivalents = Equivalents(kiali="KIA1111")
    policy_kind = "WasmPlugin"
    missing_target_refs = False
    l7 = staticmethod(wasm)
