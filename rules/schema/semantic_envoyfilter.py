"""EnvoyFilter patches: what Istio rejects or warns about."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.values import mapping, text
from meshlint.validation.walk import spec_items

LISTENER_CLASS = ("LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER")
ROUTE_CLASS = ("ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE")
#: The match each class of ``applyTo`` may use (a waypoint match fits every class).
MATCH_FOR = {
    **dict.fromkeys(LISTENER_CLASS, "listener"),
    **dict.fromkeys(ROUTE_CLASS, "routeConfiguration"),
    "CLUSTER": "cluster",
}
MATCH_TYPES = ("listener", "routeConfiguration", "cluster")
HCM_NAMES = ("envoy.filters.network.http_connection_manager", "envoy.http_connection_manager")
#: Envoy's legacy filter names and their current ones.
DEPRECATED_FILTER_NAMES = {
    "envoy.http_connection_manager": "envoy.filters.network.http_connection_manager",
    "envoy.tcp_proxy": "envoy.filters.network.tcp_proxy",
    "envoy.router": "envoy.filters.http.router",
    "envoy.cors": "envoy.filters.http.cors",
    "envoy.fault": "envoy.filters.http.fault",
    "envoy.lua": "envoy.filters.http.lua",
    "envoy.grpc_web": "envoy.filters.http.grpc_web",
    "envoy.health_check": "envoy.filters.http.health_check",
    "envoy.listener.tls_inspector": "envoy.filters.listener.tls_inspector",
    "envoy.listener.http_inspector": "envoy.filters.listener.http_inspector",
    "envoy.listener.original_dst": "envoy.filters.listener.original_dst",
}


def patches(ef):
    return spec_items(ef, "configPatches")


def filter_match(patch):
    """The ``listener.filterChain.filter`` block of a patch's match, if any."""
    return mapping(
        mapping(mapping(mapping(patch.get("match")).get("listener")).get("filterChain")).get(
            "filter"
        )
    )


class EnvoyFilterPatchInvalid(SemanticRule):
    """An EnvoyFilter patch lacks applyTo, an operation or a value, or its match does not fit.

    ## What it does
    Checks each `configPatches` entry: `applyTo` and `patch.operation` are set, and
    `patch.value` too unless the operation is `REMOVE`; the match type fits `applyTo`
    (`listener` for listeners, filter chains and filters, `routeConfiguration` for route
    configurations, virtual hosts and routes, `cluster` for clusters); a filter match has
    a name, and a `subFilter` match is only used with `HTTP_FILTER`, under the HTTP
    connection manager, with a name.

    ## Why it matters
    The webhook rejects the resource, so the patch is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: lua
    spec:
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
          listener:
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
        patch:
          operation: INSERT_BEFORE  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: lua
    spec:
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
          listener:
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
        patch:
          operation: INSERT_BEFORE
          value:
            name: envoy.filters.http.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              default_source_code: {inline_string: "function envoy_on_request(h) end"}
    ```
    """

    id = "ML795"
    name = "envoyfilter-patch-invalid"
    severity = Severity.ERROR
    kinds = ("EnvoyFilter",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, patch in patches(resource):
            apply_to = text(patch.get("applyTo"))
            if apply_to in ("", "INVALID"):
                yield path, "a config patch needs applyTo"
                continue
            body = patch.get("patch")
            if not isinstance(body, dict):
                yield path, "a config patch needs a patch"
                continue
            operation = text(body.get("operation"))
            if operation in ("", "INVALID"):
                yield (*path, "patch"), "a patch needs an operation"
                continue
            if operation != "REMOVE" and body.get("value") is None:
                yield (*path, "patch", "operation"), f"{operation} needs a patch value"
                continue
            yield from self._match(path, patch, apply_to)

    def _match(self, path, patch, apply_to):
        match = mapping(patch.get("match"))
        wanted = MATCH_FOR.get(apply_to)
        used = [m for m in MATCH_TYPES if match.get(m) is not None]
        if wanted and used and wanted not in used:
            yield (
                (*path, "match", used[0]),
                (f"applyTo {apply_to} needs a {wanted} match, not {used[0]}"),
            )
            return
        if apply_to not in LISTENER_CLASS:
            return
        listener = mapping(mapping(match.get("listener")).get("filterChain"))
        if listener.get("filter") is None:
            return
        base = (*path, "match", "listener", "filterChain", "filter")
        found = filter_match(patch)
        name = text(found.get("name"))
        sub = found.get("subFilter")
        if not name:
            yield base, "a filter match needs a name"
        elif sub is not None:
            if apply_to != "HTTP_FILTER":
                yield (*base, "subFilter"), "subFilter matches only work with applyTo HTTP_FILTER"
            elif name not in HCM_NAMES:
                yield (
                    (*base, "subFilter"),
                    (f"subFilter matches need the filter {HCM_NAMES[0]}, not {name}"),
                )
            elif not text(mapping(sub).get("name")):
                yield (*base, "subFilter"), "a subFilter match needs a name"


class EnvoyFilterMatchIgnored(SemanticRule):
    """An EnvoyFilter match uses a deprecated filter name, or a filter match with no effect.

    ## What it does
    Reports filter and subFilter matches naming Envoy's legacy filter names (such as
    `envoy.router` for `envoy.filters.http.router`), and filter matches on patches that
    apply to a whole `LISTENER` or `FILTER_CHAIN`, where Istio ignores them.

    ## Why it matters
    Legacy names stop matching when Envoy drops them, and an ignored match makes the
    patch apply more widely than it reads.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: router-tweak
    spec:
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          listener:
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
                subFilter:
                  name: envoy.router  # <-
        patch:
          operation: MERGE
          value:
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              suppress_envoy_headers: true
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: router-tweak
    spec:
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          listener:
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
                subFilter:
                  name: envoy.filters.http.router
        patch:
          operation: MERGE
          value:
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              suppress_envoy_headers: true
    ```
    """

    id = "ML796"
    name = "envoyfilter-match-ignored"
    severity = Severity.WARNING
    kinds = ("EnvoyFilter",)
    equivalents = WARNED

    def issues(self, resource):
        for path, patch in patches(resource):
            found = filter_match(patch)
            if not found:
                continue
            base = (*path, "match", "listener", "filterChain", "filter")
            apply_to = text(patch.get("applyTo"))
            if apply_to in ("LISTENER", "FILTER_CHAIN"):
                yield base, f"a filter match has no effect with applyTo {apply_to}"
            for name_path, name in (
                ((*base, "name"), found.get("name")),
                ((*base, "subFilter", "name"), mapping(found.get("subFilter")).get("name")),
            ):
                if isinstance(name, str) and name in DEPRECATED_FILTER_NAMES:
                    yield (
                        name_path,
                        (f'deprecated filter name "{name}": use "{DEPRECATED_FILTER_NAMES[name]}"'),
                    )
