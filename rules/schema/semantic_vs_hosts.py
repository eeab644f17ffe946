"""VirtualService hosts and gateway names Istio rejects or warns about."""

from meshlint.engine.finding import Severity
from meshlint.engine.fix import replace
from meshlint.engine.rule import Equivalents
from meshlint.fieldpath import get
from meshlint.mesh.hosts import overlaps
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.addresses import is_ip
from meshlint.validation.hosts import fqdn_error, is_dns1123_label, wildcard_domain_error
from meshlint.validation.values import items
from meshlint.validation.virtual_service import bound_to_gateway, has_sni_match
from meshlint.validation.walk import enumerate_maps, route_sections


class VSHostsConflict(SemanticRule):
    """A VirtualService lists overlapping hosts, or `*` while applying to the mesh.

    ## What it does
    Reports hosts that duplicate or cover one another within one VirtualService
    (`*.example.com` and `api.example.com`), and the host `*` on a VirtualService bound to
    the `mesh` gateway (no `gateways`, or `mesh` among them): sidecars need a concrete
    host to build routes for.

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts:
      - "*.shop.example.com"
      - api.shop.example.com  # <-
      gateways: [public]
      http:
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
      hosts:
      - "*.shop.example.com"
      gateways: [public]
      http:
      - route:
        - destination: {host: shop}
    ```
    """

    id = "ML761"
    name = "vs-hosts-conflict"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        gateway = bound_to_gateway(resource)
        sni = gateway and has_sni_match(resource)
        hosts = [
            (i, h) for i, h in enumerate(items(resource.spec.get("hosts"))) if isinstance(h, str)
        ]
        valid = True
        for i, host in hosts:
            if wildcard_domain_error(host, sni_gateway=sni) and not is_ip(host):
                valid = False
            elif host == "*" and not gateway:
                valid = False
                yield (
                    ("spec", "hosts", i),
                    ('host "*" is not allowed on a VirtualService bound to the mesh gateway'),
                )
        if not valid:
            return
        for n, (_, host) in enumerate(hosts):
            for j, other in hosts[n + 1 :]:
                if overlaps(host, other):
                    yield ("spec", "hosts", j), f'hosts "{host}" and "{other}" overlap'


def gateway_names(vs):
    """``(path, name)`` of every gateway a VirtualService names (top level and matches)."""
    for i, name in enumerate(items(vs.spec.get("gateways"))):
        if isinstance(name, str):
            yield ("spec", "gateways", i), name
    for _, path, route in route_sections(vs):
        for mpath, match in enumerate_maps(route.get("match"), (*path, "match")):
            for i, name in enumerate(items(match.get("gateways"))):
                if isinstance(name, str):
                    yield (*mpath, "gateways", i), name


class VSGatewayNameInvalid(SemanticRule):
    """A gateway reference is not `namespace/name` with DNS-label parts.

    ## What it does
    Checks `spec.gateways` and match `gateways` of a VirtualService: each is `mesh`, a
    gateway name, or `namespace/name`, where both parts are non-empty DNS-1123 labels
    (dotted `name.namespace` names must be valid DNS names).

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [istio-system/Public_Gateway]  # <-
      http:
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
      gateways: [istio-system/public-gateway]
      http:
      - route:
        - destination: {host: shop}
    ```
    """

    id = "ML762"
    name = "vs-gateway-name-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, name in gateway_names(resource):
            namespace, slash, gateway = name.partition("/")
            if "~" in gateway:
                continue  # a generated Gateway API gateway: vs-internal-gateway-ref says so
            if not slash:
                error = fqdn_error(name)
                if error:
                    yield path, error
                continue
            if not namespace or not gateway:
                yield path, "gateway namespace and name cannot be empty"
            elif not is_dns1123_label(namespace):
                yield path, f'invalid namespace "{namespace}" in gateway "{name}"'
            elif not is_dns1123_label(gateway):
                yield path, f'invalid gateway name "{gateway}": must be a DNS-1123 label'


class VSGatewayNameLegacy(SemanticRule):
    """A gateway is referenced as `name.namespace` instead of `namespace/name`.

    ## What it does
    Reports dotted gateway references (`public.istio-system`) in `gateways` lists, the
    legacy form Istio still accepts with a warning. `meshlint fix` rewrites them as
    `namespace/name`, which istiod reads the same way.

    ## Why it matters
    The dotted form is ambiguous with DNS names and is kept only for compatibility.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [public.istio-system]  # <-
      http:
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
      gateways: [istio-system/public]
      http:
      - route:
        - destination: {host: shop}
    ```
    """

    id = "ML763"
    name = "vs-gateway-name-legacy"
    severity = Severity.WARNING
    kinds = ("VirtualService",)
    equivalents = Equivalents(istio=WARNED.istio, kiali="KIA1108")

    def issues(self, resource):
        for path, name in gateway_names(resource):
            if "/" not in name and "." in name:
                yield path, f'legacy gateway name "{name}": write "{slash_form(name)}"'

    def check_resource(self, resource, mesh):
        for finding in super().check_resource(resource, mesh):
            name = get(resource.body, finding.path)
            title = f'Write "{slash_form(name)}"'
            finding.fixes = [replace(finding.path, slash_form(name), title, safe=True)]
            yield finding


def slash_form(legacy: str) -> str:
    """``name.namespace[.svc.cluster.local]`` as ``namespace/name`` (as istiod reads it)."""
    gateway, _, namespace = legacy.partition(".")
    return f"{namespace.split('.')[0]}/{gateway}"
