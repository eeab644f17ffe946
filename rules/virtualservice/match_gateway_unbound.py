"""A match may only name gateways the VirtualService is bound to."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule, related_to
from meshlint.mesh.index import gateway_name
from meshlint.mesh.routes import gateway_refs

MESH = "mesh"


def bound_gateways(vs) -> set:
    """The gateways ``spec.gateways`` binds the VirtualService to (``mesh`` when empty)."""
    gateways = vs.spec.get("gateways")
    names = [g for g in gateways if isinstance(g, str)] if isinstance(gateways, list) else []
    if not names:
        return {MESH}
    return {g if g == MESH else gateway_name(g, vs.namespace) for g in names}


class MatchGatewayNotBound(Rule):
    """A match names a gateway the VirtualService is not bound to.

    ## What it does
    Compares each `http[].match[].gateways` entry with the gateways of `spec.gateways`
    (`mesh` when the list is empty), after resolving both forms (`name`, `namespace/name`
    and the dotted legacy form) to the same Gateway. Reports the entries that name a
    gateway outside that list.

    ## Why it matters
    Istio attaches a VirtualService only to the gateways of `spec.gateways`; a match on
    another gateway is evaluated nowhere, so its route silently never applies. Typically
    a VirtualService was moved to a new Gateway and its matches still name the old one.
    Kiali checks that these references exist (KIA1102) and are not dotted (KIA1108);
    this rule checks that they can ever match.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [istio-system/public]
      http:
      - match:
        - gateways:
          - istio-system/internal  # <-
          uri: {prefix: /admin}
        route:
        - destination: {host: shop-admin}
      - route:
        - destination: {host: shop}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [istio-system/public, istio-system/internal]
      http:
      - match:
        - gateways: [istio-system/internal]
          uri: {prefix: /admin}
        route:
        - destination: {host: shop-admin}
      - route:
        - destination: {host: shop}
    ```
    """

    id = "ML153"
    name = "vs-match-gateway-not-bound"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("VirtualService",)

    def check_resource(self, vs, mesh):
        bound = bound_gateways(vs)
        declared = "gateways" in vs.spec
        for path, ref in gateway_refs(vs):
            if path[1] == "gateways":
                continue
            key = ref if ref == MESH else gateway_name(ref, vs.namespace)
            if key in bound:
                continue
            listed = "spec.gateways" if declared else "spec.gateways (empty: mesh only)"
            yield self.report(
                vs,
                path,
                f'gateway "{ref}" is not in {listed}: the VirtualService is not bound to it, '
                "so this match never applies; add it to spec.gateways",
                related=[related_to(vs, ("spec", "gateways"))] if declared else [],
            )
