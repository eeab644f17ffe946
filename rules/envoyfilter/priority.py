"""EnvoyFilters with relative patch operations should set a priority."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.envoyfilters import (
    RELATIVE_OPERATIONS,
    Patch,
    ignored,
    may_share_proxies,
    patches,
    priority,
)

ANALYZER = "envoyfilter.EnvoyPatchAnalyzer"


def relative_patches(mesh) -> dict:
    """For each EnvoyFilter without a priority: its relative patches, split into those
    whose target filter some proxyVersion-matched patch provides (earlier in the same
    EnvoyFilter, or in another that may apply to the same proxies) and the others, with
    those providing patches."""
    root = mesh.settings.root_namespace
    filters = mesh.of_kind("EnvoyFilter")
    versioned = [(ef, p) for ef in filters for p in patches(ef) if p.proxy_version and p.name]
    out = {}
    for ef in filters:
        if priority(ef) != 0:
            continue
        plain, upgrade = [], []
        for patch in patches(ef):
            if patch.operation not in RELATIVE_OPERATIONS or ignored(patch):
                continue
            providers = [
                (other, p)
                for other, p in versioned
                if p.name == patch.name
                and (p.index < patch.index if other is ef else may_share_proxies(ef, other, root))
            ]
            (upgrade if providers else plain).append((patch, providers))
        out[ef] = (plain, upgrade)
    return out


def _listing(found: list[tuple[Patch, list]], verb: str) -> str:
    """``configPatches[0] (REPLACE), configPatches[2] (REMOVE) <verb>``, in agreement."""
    listed = ", ".join(f"configPatches[{p.index}] ({p.operation})" for p, _ in found)
    return f"{listed} {verb if len(found) > 1 else verb + 's'}"


class EnvoyFilterRelativeNoPriority(Rule):
    """An EnvoyFilter uses a relative patch operation but sets no priority.

    ## What it does
    Reports an EnvoyFilter without `spec.priority` (or with 0) that has a patch with a
    relative operation (`INSERT_BEFORE`, `INSERT_AFTER`, `REPLACE`, `REMOVE`), once per
    EnvoyFilter, at its first such patch. Patches whose target comes from a
    `proxyVersion`-matched patch are left to `envoyfilter-relative-proxy-version`.

    ## Why it matters
    A relative operation depends on what earlier patches produced. EnvoyFilters of equal
    priority are applied in creation order, so the patch may find nothing to act on after
    a re-create or in another cluster, and is then silently skipped. A priority fixes the
    order; `INSERT_FIRST` or `ADD` need no order at all.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: reviews-lua
    spec:
      workloadSelector:
        labels: {app: reviews}
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
          listener:
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
                subFilter:
                  name: envoy.filters.http.router
        patch:
          operation: INSERT_BEFORE  # <-
          value:
            name: envoy.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_request(h) end"
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: reviews-lua
    spec:
      workloadSelector:
        labels: {app: reviews}
      priority: 10
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
          listener:
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
                subFilter:
                  name: envoy.filters.http.router
        patch:
          operation: INSERT_BEFORE
          value:
            name: envoy.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_request(h) end"
    ```
    """

    id = "ML921"
    name = "envoyfilter-relative-no-priority"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("EnvoyFilter",)
    equivalents = Equivalents(istio="IST0151", analyzers=(ANALYZER,))

    def check(self, mesh):
        for ef, (plain, _) in relative_patches(mesh).items():
            if ef.linted and plain:
                yield self.report(
                    ef,
                    plain[0][0].operation_path,
                    f"{_listing(plain, 'depend')} on the patches applied before them, and this "
                    "EnvoyFilter has no priority: set spec.priority, or use INSERT_FIRST/ADD",
                )


class EnvoyFilterRelativeProxyVersion(Rule):
    """An EnvoyFilter without a priority patches relative to a proxyVersion-bound patch.

    ## What it does
    Reports an EnvoyFilter without `spec.priority` (or with 0) whose relative patch
    (`INSERT_BEFORE`, `INSERT_AFTER`, `REPLACE`, `REMOVE`) targets a filter that a patch
    matching `proxy.proxyVersion` adds: earlier in the same EnvoyFilter, or in another one
    that may apply to the same proxies (same namespace or the root namespace, workload
    selectors that do not exclude each other). Reported once per EnvoyFilter, at the first
    such patch. Like Istio, the patch's `match.context` is not compared.

    ## Why it matters
    After a proxy upgrade the `proxyVersion` match fails, the filter is no longer added,
    and the relative patch finds nothing to act on: it is silently skipped exactly when
    the mesh is being upgraded.

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
          proxy:
            proxyVersion: '^1\\.24.*'
        patch:
          operation: INSERT_FIRST
          value:
            name: envoy.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_request(h) end"
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
        patch:
          operation: REPLACE  # <-
          value:
            name: envoy.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_response(h) end"
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata:
      name: lua
    spec:
      priority: 10
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
          proxy:
            proxyVersion: '^1\\.24.*'
        patch:
          operation: INSERT_FIRST
          value:
            name: envoy.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_request(h) end"
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
        patch:
          operation: REPLACE
          value:
            name: envoy.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_response(h) end"
    ```
    """

    id = "ML925"
    name = "envoyfilter-relative-proxy-version"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("EnvoyFilter",)
    equivalents = Equivalents(istio="IST0155", analyzers=(ANALYZER,))

    def check(self, mesh):
        for ef, (_, upgrade) in relative_patches(mesh).items():
            if not ef.linted or not upgrade:
                continue
            providers = {
                (id(other), p.index): (other, p) for _, found in upgrade for other, p in found
            }
            yield self.report(
                ef,
                upgrade[0][0].operation_path,
                f"{_listing(upgrade, 'act')} on {upgrade[0][0].name}, which a proxyVersion-matched "
                "patch adds: after a proxy upgrade it is gone, and patches on it are skipped; "
                "set spec.priority",
                related=[
                    related_to(other, p.path, f"adds {p.name} for one proxy version only")
                    for other, p in providers.values()
                ],
            )
