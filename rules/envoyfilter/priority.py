"""EnvoyFilters with relative patch operations should set a priority."""

import heapq
from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import get
from meshlint.mesh.envoyfilters import RELATIVE_OPERATIONS, Patch, ignored, patches, priority
from meshlint.mesh.groups import MAX_NAMED
from meshlint.model import Resource, string_map

ANALYZER = "envoyfilter.EnvoyPatchAnalyzer"
SELECTOR = ("spec", "workloadSelector", "labels")


class Providers:
    """The proxyVersion-matched patches that provide a relative patch's target: earlier
    patches of its own EnvoyFilter, and those of the others that may apply to the same
    proxies (groups shared by every EnvoyFilter with the same namespace and selector).
    Entries are ((EnvoyFilter position, patch index), EnvoyFilter, patch)."""

    def __init__(self, ef: Resource, own: list[tuple], groups: list[list[tuple]]) -> None:
        self.ef = ef
        self.own = own
        self.groups = groups

    def __bool__(self) -> bool:
        return bool(self.own) or any(e[1] is not self.ef for g in self.groups for e in g)

    def __iter__(self) -> Iterator[tuple[Resource, Patch]]:
        """(EnvoyFilter, patch), in the order of the EnvoyFilters and their patches."""
        others = ((e for e in group if e[1] is not self.ef) for group in self.groups)
        for _, other, patch in heapq.merge(self.own, *others, key=lambda e: e[0]):
            yield other, patch


def relative_patches(mesh) -> dict:
    """For each EnvoyFilter without a priority: its relative patches, split into those
    whose target filter some proxyVersion-matched patch provides (earlier in the same
    EnvoyFilter, or in another that may apply to the same proxies) and the others, with
    those providing patches."""
    root = mesh.settings.root_namespace
    filters = mesh.of_kind("EnvoyFilter")
    # patch name -> namespace -> selector -> entries
    versioned: dict[str, dict[str, dict[tuple, list[tuple]]]] = {}
    for position, ef in enumerate(filters):
        for p in patches(ef):
            if p.proxy_version and p.name:
                by_namespace = versioned.setdefault(p.name, {})
                group = by_namespace.setdefault(ef.namespace, {}).setdefault(_selector(ef), [])
                group.append(((position, p.index), ef, p))
    shared: dict[tuple, list[list[tuple]]] = {}
    out = {}
    for position, ef in enumerate(filters):
        if priority(ef) != 0:
            continue
        key = (ef.namespace, _selector(ef))
        own = [p for p in patches(ef) if p.proxy_version and p.name]
        plain, upgrade = [], []
        for patch in patches(ef):
            if patch.operation not in RELATIVE_OPERATIONS or ignored(patch):
                continue
            if (key, patch.name) not in shared:
                groups = versioned.get(patch.name, {})
                shared[(key, patch.name)] = _sharing(groups, key, root)
            earlier = [
                ((position, p.index), ef, p)
                for p in own
                if p.name == patch.name and p.index < patch.index
            ]
            providers = Providers(ef, earlier, shared[(key, patch.name)])
            (upgrade if providers else plain).append((patch, providers))
        out[ef] = (plain, upgrade)
    return out


def _selector(ef: Resource) -> tuple:
    return tuple(sorted(string_map(get(ef.body, SELECTOR)).items()))


def _sharing(groups: dict[str, dict[tuple, list]], key: tuple, root: str) -> list[list]:
    """The groups of EnvoyFilters (by namespace and selector) that may apply to the same
    proxies as those of ``key``: in its namespace or the root namespace (all of them when
    ``key`` is in the root namespace), with selectors that do not require one label to
    have different values."""
    namespace, selector = key
    labels = dict(selector)
    namespaces = groups if namespace == root else (namespace, root)
    return [
        group
        for name in dict.fromkeys(namespaces)
        for other, group in groups.get(name, {}).items()
        if all(dict(other).get(k, v) == v for k, v in labels.items())
    ]


#: Filters every listener Istio generates carries, whatever the EnvoyFilters: a patch
#: positioned relative to one of them never depends on another patch.
GENERATED_FILTERS = frozenset(
    {
        "envoy.filters.http.router",
        "envoy.filters.network.http_connection_manager",
        "envoy.filters.network.tcp_proxy",
    }
)


def _anchor(ef: Resource, patch: Patch) -> str | None:
    """The filter an INSERT_BEFORE/INSERT_AFTER patch is positioned against (the matched
    sub-filter of an HTTP filter patch, the matched filter of a network filter patch);
    None for other operations, which act on the matched object itself."""
    if patch.operation not in ("INSERT_BEFORE", "INSERT_AFTER"):
        return None
    chain = get(ef.body, (*patch.path, "match", "listener", "filterChain", "filter"))
    if not isinstance(chain, dict):
        return None
    target = chain.get("subFilter") if patch.apply_to == "HTTP_FILTER" else chain
    name = target.get("name") if isinstance(target, dict) else None
    return name if isinstance(name, str) else None


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
    `proxyVersion`-matched patch are left to `envoyfilter-relative-proxy-version`. An
    `INSERT_BEFORE`/`INSERT_AFTER` positioned only against filters Istio itself always
    generates (`envoy.filters.http.router`, the HTTP connection manager, `tcp_proxy`) is
    reported at info: istioctl warns (IST0151), but the anchor is always there, so the
    patch always applies; only the order among several such patches is open.

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
                  name: envoy.filters.http.ext_authz
        patch:
          operation: INSERT_AFTER  # <-
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
                  name: envoy.filters.http.ext_authz
        patch:
          operation: INSERT_AFTER
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
            if not (ef.linted and plain):
                continue
            anchors = {_anchor(ef, patch) for patch, _ in plain}
            if anchors <= GENERATED_FILTERS:
                yield self.report(
                    ef,
                    plain[0][0].operation_path,
                    f"{_listing(plain, 'insert')} relative to {', '.join(sorted(anchors))}, "
                    "which Istio always generates, so the patch applies whatever the order "
                    "(istioctl still reports IST0151 for an EnvoyFilter without priority)",
                    severity=Severity.INFO,
                )
                continue
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
            providers: dict[tuple, tuple] = {}
            for other, p in (e for _, found in upgrade for e in found):
                providers.setdefault((id(other), p.index), (other, p))
                if len(providers) == MAX_NAMED:
                    break
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
