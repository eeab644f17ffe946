"""Gateway API CRDs must be at least the bundle version Istio requires."""

import re

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule

BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version"
#: Minimum bundle version per CRD, as required by Istio (istio/istio
#: pkg/config/schema/gatewayapi, 2026-08).
MINIMUM_VERSIONS: dict[str, tuple[int, int, int]] = {
    "grpcroutes.gateway.networking.k8s.io": (1, 1, 0),
    "backendtlspolicies.gateway.networking.k8s.io": (1, 4, 0),
    "tlsroutes.gateway.networking.k8s.io": (1, 5, 0),
}
_VERSION = re.compile(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``v1.4.1`` -> (1, 4, 1); pre-release and build suffixes are ignored."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor or 0), int(patch or 0)


def show(version: tuple[int, int, int]) -> str:
    return "v" + ".".join(map(str, version))


class GatewayApiCrdTooOld(Rule):
    """A Gateway API CRD is older than the version Istio requires.

    ## What it does
    Reads the `gateway.networking.k8s.io/bundle-version` annotation of the Gateway API
    CustomResourceDefinitions Istio sets a minimum for (GRPCRoute v1.1.0,
    BackendTLSPolicy v1.4.0, TLSRoute v1.5.0) and reports one below its minimum.

    ## Why it matters
    istiod ignores a CRD below its minimum version: it never watches the kind, so every
    resource of it (every TLSRoute, say) is silently left unprogrammed, and the Gateways
    they attach to show no routes. Upgrade the Gateway API CRDs.

    ## Example
    ```yaml
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: tlsroutes.gateway.networking.k8s.io
      annotations:
        gateway.networking.k8s.io/bundle-version: v1.4.1  # <-
        gateway.networking.k8s.io/channel: experimental
    spec:
      group: gateway.networking.k8s.io
      names: {kind: TLSRoute, plural: tlsroutes}
      scope: Namespaced
    ```

    ## Use instead
    ```yaml
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: tlsroutes.gateway.networking.k8s.io
      annotations:
        gateway.networking.k8s.io/bundle-version: v1.5.0
        gateway.networking.k8s.io/channel: experimental
    spec:
      group: gateway.networking.k8s.io
      names: {kind: TLSRoute, plural: tlsroutes}
      scope: Namespaced
    ```
    """

    id = "ML802"
    name = "gateway-api-crd-too-old"
    severity = Severity.WARNING
    category = "schema"
    kinds = ("CustomResourceDefinition",)
    equivalents = Equivalents(istio="IST0176", analyzers=("k8sgateway.CRDVersionAnalyzer",))

    def check_resource(self, resource, mesh):
        minimum = MINIMUM_VERSIONS.get(resource.name)
        installed = parse_version(resource.annotations.get(BUNDLE_VERSION, ""))
        if minimum is None or installed is None or installed >= minimum:
            return
        yield self.report(
            resource,
            ("metadata", "annotations", BUNDLE_VERSION),
            f"{resource.name} is at {show(installed)} but Istio requires at least "
            f"{show(minimum)}: istiod ignores this CRD and every resource of its kind",
        )
