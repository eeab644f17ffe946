"""VirtualService gateway references must name existing Gateways."""

from meshlint.core.suggest import closest
from meshlint.engine.finding import Severity
from meshlint.engine.fix import replace
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.index import gateway_name
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.routes import gateway_refs, is_internal_gateway_ref


class GatewayNotFound(Rule):
    """A VirtualService is bound to a Gateway that does not exist.

    ## What it does
    Resolves each entry of `spec.gateways` and of `http[].match[].gateways` (except the
    reserved `mesh`) as `namespace/name`, or `name` in the VirtualService's namespace, or
    the legacy dotted `name.namespace` form that istiod still accepts. Istio and Gateway
    API Gateways both count. References to the Gateways istiod generates for Gateway API
    Gateways are left to `vs-internal-gateway-ref`. A missing Gateway is reported only
    when the inputs hold another Gateway of its namespace, unless `--assume-complete` is
    given. When exactly one Gateway of that namespace has a close name,
    `meshlint fix --unsafe` points the reference at it.

    ## Why it matters
    The routes never reach the gateway: traffic entering through it gets a 404.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: bookinfo
    spec:
      hosts: ["*"]
      gateways:
      - bookinfo-gw  # <-
      http:
      - route:
        - destination: {host: productpage.default.svc.cluster.local}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: bookinfo-gateway
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: bookinfo
    spec:
      hosts: ["*"]
      gateways:
      - bookinfo-gateway
      http:
      - route:
        - destination: {host: productpage.default.svc.cluster.local}
    ```
    """

    id = "ML105"
    name = "vs-gateway-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("VirtualService", "Gateway")
    targets = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0101", analyzers=("virtualservice.GatewayAnalyzer",), kiali="KIA1102"
    )

    def check(self, mesh):
        for vs in mesh.of_kind("VirtualService"):
            if not vs.linted:
                continue
            for path, ref in gateway_refs(vs):
                if ref == "mesh" or is_internal_gateway_ref(ref, vs.namespace, mesh):
                    continue
                resolution = mesh.resolve_gateway(ref, vs.namespace)
                namespace, _ = gateway_name(ref, vs.namespace)
                prefix, slash, name = ref.rpartition("/")
                match = _closest(mesh, name, namespace) if resolution.missing else None
                message, fixes = f'gateway "{ref}" not found', []
                if match:
                    fixed = f"{prefix}{slash}{match}"
                    message += f'; did you mean "{match}"?'
                    fixes = [replace(path, fixed, f'Change to "{fixed}"')]
                yield from self.unresolved(vs, path, resolution, message, fixes=fixes)


@per_mesh
def _closest(mesh, name: str, namespace: str) -> str | None:
    """The Gateway of ``namespace`` to suggest for a missing ``name``."""
    return closest(name, _gateway_names(mesh).get(namespace, []))


@per_mesh
def _gateway_names(mesh) -> dict[str, list[str]]:
    """The names of the Gateways (of both APIs) by namespace."""
    out: dict[str, list[str]] = {}
    for gateway in mesh.of_kind("Gateway"):
        out.setdefault(gateway.namespace, []).append(gateway.name)
    return out
