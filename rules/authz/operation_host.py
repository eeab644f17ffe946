"""AuthorizationPolicy operation hosts that name in-mesh services must name real ones."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.authz import operation_values
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.resolve import found


def service_host(value: str, policy, mesh) -> str | None:
    """The service FQDN an operation host names, or None for a Host-header pattern.

    ``name`` is a Service of the policy's namespace and ``name.ns`` one of namespace
    ``ns`` when that namespace is known; wildcards and other dotted names are matched
    against the Host header only and name no service.
    """
    name = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    if not name or "*" in name or name.count(".") > 1:
        return None
    domain = mesh.settings.cluster_domain
    if "." not in name:
        return f"{name}.{policy.namespace}.svc.{domain}".lower()
    service, namespace = name.split(".")
    if service and mesh.namespace(namespace).found:
        return f"{service}.{namespace}.svc.{domain}".lower()
    return None


def virtual_service_hosts(mesh) -> set[str]:
    """Every VirtualService host, as written and fully qualified."""
    out: set[str] = set()
    for vs in mesh.of_kind("VirtualService"):
        hosts = vs.spec.get("hosts")
        for host in hosts if isinstance(hosts, list) else ():
            if isinstance(host, str):
                out.update((host.lower(), mesh.fqdn(host, vs.namespace).lower()))
    return out


class AuthorizationPolicyOperationHostNotFound(Rule):
    """An AuthorizationPolicy operation host names a service that does not exist.

    ## What it does
    Checks `rules[].to[].operation.hosts` entries that name an in-mesh service: a short
    name (a Service of the policy's namespace) or `name.namespace` for a namespace the
    analyzed files know. The name must be a Service or ServiceEntry host, or a
    VirtualService host. Wildcards and names with two dots or more are Host-header
    patterns and are not checked. A port suffix (`:8080`) is ignored. The finding is an
    error when the mesh's `outboundTrafficPolicy` is `REGISTRY_ONLY` and a warning
    otherwise, as in Kiali.

    ## Why it matters
    Istio compares `hosts` with the request's Host header. A host that is not the name
    clients use never matches: an ALLOW rule silently admits nobody and a DENY rule
    silently blocks nothing.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - {name: http, port: 9080}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: ratings-readers
    spec:
      selector:
        matchLabels: {app: ratings}
      rules:
      - to:
        - operation:
            hosts:
            - rating  # <-
            methods: [GET]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - {name: http, port: 9080}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: ratings-readers
    spec:
      selector:
        matchLabels: {app: ratings}
      rules:
      - to:
        - operation:
            hosts: [ratings, "ratings:9080"]
            methods: [GET]
    ```
    """

    id = "ML522"
    name = "authz-operation-host-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("AuthorizationPolicy", "Service", "ServiceEntry", "VirtualService", "ConfigMap")
    targets = ("AuthorizationPolicy",)
    equivalents = Equivalents(kiali="KIA0104")

    def check(self, mesh):
        policies = [p for p in mesh.of_kind("AuthorizationPolicy") if p.linted]
        if not policies:
            return
        routed = virtual_service_hosts(mesh)
        policy = effective_mesh_config(mesh).get("outboundTrafficPolicy") or {}
        lenient = str(policy.get("mode") or "ALLOW_ANY") != "REGISTRY_ONLY"
        for resource in policies:
            for finding in self._check_policy(resource, routed, mesh):
                if lenient and finding.severity > Severity.WARNING:
                    finding.severity = Severity.WARNING
                yield finding

    def _check_policy(self, policy, routed, mesh):
        for path, value in operation_values(policy, "hosts"):
            host = service_host(value, policy, mesh)
            if host is None:
                continue
            if host in routed or value.lower() in routed:
                resolution = found([])
            else:
                resolution = mesh.resolve_host(host, policy.namespace)
            message = f'operation host "{value}" ({host}) is not a Service, ServiceEntry or '
            message += "VirtualService host"
            yield from self.unresolved(policy, path, resolution, message)
