"""EnvoyFilter patch operations that istiod ignores for the object they apply to."""

from typing import ClassVar

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.envoyfilters import ignored, patches


class _IgnoredOperation(Rule):
    """Reports the patches using :attr:`operation` where istiod ignores it."""

    operation: ClassVar[str]
    advice: ClassVar[str]
    kinds = ("EnvoyFilter",)

    def check_resource(self, resource, mesh):
        for patch in patches(resource):
            if patch.operation == self.operation and ignored(patch):
                yield self.report(
                    resource,
                    patch.operation_path,
                    f"{self.operation} has no effect on applyTo {patch.apply_to}: {self.advice}",
                )


class EnvoyFilterReplaceUnsupported(_IgnoredOperation):
    """An EnvoyFilter patch uses REPLACE on an object that cannot be replaced.

    ## What it does
    Reports `patch.operation: REPLACE` when `applyTo` is anything but `HTTP_FILTER`,
    `NETWORK_FILTER` or `VIRTUAL_HOST`. (Istio's analyzer also flagged `VIRTUAL_HOST`
    until istio/istio#59495 was fixed; istiod has supported replacing virtual hosts since
    1.13.)

    ## Why it matters
    istiod skips the patch: the cluster, listener or route you meant to replace keeps its
    generated configuration, with no error anywhere.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: lua-cluster
    spec:
      priority: 10
      configPatches:
      - applyTo: CLUSTER
        match:
          context: SIDECAR_OUTBOUND
          cluster:
            name: lua_cluster
        patch:
          operation: REPLACE  # <-
          value:
            name: lua_cluster
            type: STRICT_DNS
            connect_timeout: 0.5s
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: lua-cluster
    spec:
      priority: 10
      configPatches:
      - applyTo: CLUSTER
        match:
          context: SIDECAR_OUTBOUND
          cluster:
            name: lua_cluster
        patch:
          operation: MERGE
          value:
            type: STRICT_DNS
            connect_timeout: 0.5s
    ```
    """

    id = "ML922"
    name = "envoyfilter-replace-unsupported"
    severity = Severity.ERROR
    category = "schema"
    equivalents = Equivalents(istio="IST0152", analyzers=("envoyfilter.EnvoyPatchAnalyzer",))
    operation = "REPLACE"
    advice = "REPLACE works on HTTP_FILTER, NETWORK_FILTER and VIRTUAL_HOST; use MERGE"


class EnvoyFilterAddIgnored(_IgnoredOperation):
    """An EnvoyFilter patch uses ADD on a route configuration or an HTTP route.

    ## What it does
    Reports `patch.operation: ADD` when `applyTo` is `ROUTE_CONFIGURATION` or
    `HTTP_ROUTE`.

    ## Why it matters
    istiod ignores ADD for these objects: the route or filter configuration you meant to
    add never reaches Envoy, with no error anywhere. Route configurations can only be
    patched with MERGE; routes are added with INSERT_BEFORE/INSERT_AFTER/INSERT_FIRST on
    a virtual host's routes.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: route-timeout
    spec:
      configPatches:
      - applyTo: ROUTE_CONFIGURATION
        match:
          context: SIDECAR_INBOUND
        patch:
          operation: ADD  # <-
          value:
            request_headers_to_add:
            - header: {key: x-inbound, value: "true"}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: route-timeout
    spec:
      configPatches:
      - applyTo: ROUTE_CONFIGURATION
        match:
          context: SIDECAR_INBOUND
        patch:
          operation: MERGE
          value:
            request_headers_to_add:
            - header: {key: x-inbound, value: "true"}
    ```
    """

    id = "ML923"
    name = "envoyfilter-add-ignored"
    severity = Severity.ERROR
    category = "schema"
    equivalents = Equivalents(istio="IST0153", analyzers=("envoyfilter.EnvoyPatchAnalyzer",))
    operation = "ADD"
    advice = "patch route configurations with MERGE"


class EnvoyFilterRemoveIgnored(_IgnoredOperation):
    """An EnvoyFilter patch uses REMOVE on a route configuration or an HTTP route.

    ## What it does
    Reports `patch.operation: REMOVE` when `applyTo` is `ROUTE_CONFIGURATION` or
    `HTTP_ROUTE`.

    ## Why it matters
    istiod ignores REMOVE for these objects: what you meant to remove stays in Envoy's
    configuration, with no error anywhere.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: drop-routes
    spec:
      configPatches:
      - applyTo: ROUTE_CONFIGURATION
        match:
          context: GATEWAY
          routeConfiguration:
            portNumber: 443
        patch:
          operation: REMOVE  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: drop-routes
    spec:
      priority: 10
      configPatches:
      - applyTo: VIRTUAL_HOST
        match:
          context: GATEWAY
          routeConfiguration:
            portNumber: 443
            vhost:
              name: "legacy.example.com:443"
        patch:
          operation: REMOVE
    ```
    """

    id = "ML924"
    name = "envoyfilter-remove-ignored"
    severity = Severity.ERROR
    category = "schema"
    equivalents = Equivalents(istio="IST0154", analyzers=("envoyfilter.EnvoyPatchAnalyzer",))
    operation = "REMOVE"
    advice = "remove virtual hosts (applyTo VIRTUAL_HOST) instead"
