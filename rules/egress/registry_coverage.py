"""External hosts that workloads are configured to reach must be in the service registry."""

from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path
from meshlint.mesh import egress, hosts
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.workloads import WORKLOAD_KINDS


def _vs_hosts(vs, mesh, labels) -> Iterator[tuple[Path, str]]:
    """Hosts of a VirtualService that sidecars or the egress gateway act on. One whose
    every destination is an in-mesh host only renames internal services and is skipped."""
    bound = egress.vs_gateways(vs)
    egress_bound = any(
        key != egress.MESH
        and (gw := mesh.get(ISTIO_NETWORKING, "Gateway", *key)) is not None
        and egress.is_egress_gateway(gw, mesh, labels)
        for key in bound
    )
    if egress.MESH not in bound and not egress_bound:
        return
    rules = list(egress.route_rules(vs))
    destinations = [host for rule in rules for _, host in rule.destinations]
    passthrough = any(rule.section != "http" for rule in rules)
    if destinations and not passthrough:
        external = [h for h in destinations if egress.is_external(mesh.fqdn(h, vs.namespace), mesh)]
        if not external:
            return
    items = vs.spec.get("hosts")
    for i, host in enumerate(items if isinstance(items, list) else []):
        if isinstance(host, str):
            yield ("spec", "hosts", i), host


def _scoped(entries, namespace: str | None, own: str) -> list:
    """Registry entries a ``namespace/`` prefix selects (``*``: any, ``.``: own)."""
    if namespace in (None, "*"):
        return entries
    wanted = own if namespace == "." else namespace
    return [e for e in entries if e.namespace == wanted]


def _refs(entries) -> str:
    return ", ".join(sorted({e.resource.ref for e in entries}))


class ExternalHostNotInRegistry(Rule):
    """An external host workloads are configured to reach has no ServiceEntry.

    ## What it does
    Collects the hosts outside the cluster (not `*.local`, not the cluster domain, not
    a `name.namespace` short form) that the configuration sends traffic to, and looks
    each up in the service registry (ServiceEntry hosts, wildcards and `exportTo`
    included) and in `mesh.external-hosts`:

    - `hosts` of VirtualServices that apply to sidecars (`mesh`) or to the egress gateway,
      unless every route goes to an in-mesh host (then the name is an alias);
    - wildcard DestinationRule hosts (others are reported by `dr-host-not-found`);
    - wildcard Sidecar `egress[].hosts` (`namespace/*.example.com`; the ServiceEntry must
      live in that namespace; others are reported by `sidecar-egress-host-not-found`);
    - `hosts` of Gateways on the egress gateway (`istio: egressgateway` by default; the
      rule parameter `egress-gateway-labels` changes it).

    Route destinations are reported by `vs-destination-host-not-found`: a route to a host
    outside the registry fails in either mode.

    The severity follows the mesh's `outboundTrafficPolicy.mode` (mesh config, or the
    `istio` ConfigMap in the analyzed files): error under `REGISTRY_ONLY`, info under
    `ALLOW_ANY`, Istio's default (a severity set in the configuration wins).

    ## Why it matters
    Under `REGISTRY_ONLY` the sidecars block every host that is not in the registry: the
    configuration exists, and every request to the host fails. Under `ALLOW_ANY` the
    traffic leaves through the passthrough cluster, so the routing, TLS and policies
    written for the host do not apply to it.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: httpbin-ext
    spec:
      hosts:
      - httpbin.org  # <-
      http:
      - timeout: 3s
        route:
        - destination:
            host: httpbin.org
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: httpbin-ext
    spec:
      hosts: [httpbin.org]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 80, name: http, protocol: HTTP}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: httpbin-ext
    spec:
      hosts:
      - httpbin.org
      http:
      - timeout: 3s
        route:
        - destination:
            host: httpbin.org
    ```
    """

    id = "ML410"
    name = "external-host-not-in-registry"
    severity = Severity.ERROR
    category = "reference"
    kinds = (
        "VirtualService",
        "DestinationRule",
        "Sidecar",
        "Gateway",
        "Service",
        "ServiceEntry",
        *WORKLOAD_KINDS,
        "Namespace",
        "ConfigMap",
    )
    targets = ("VirtualService", "DestinationRule", "Sidecar", "Gateway")
    equivalents = Equivalents()
    parameters = {"egress-gateway-labels": dict(egress.EGRESS_LABELS)}

    def check_resource(self, resource, mesh):
        labels = self.params["egress-gateway-labels"]
        if resource.kind == "VirtualService":
            places = ((p, None, h) for p, h in _vs_hosts(resource, mesh, labels))
        elif resource.kind == "DestinationRule":
            places = self._dr_host(resource)
        elif resource.kind == "Sidecar":
            places = self._sidecar_hosts(resource)
        elif egress.is_egress_gateway(resource, mesh, labels):
            places = self._gateway_hosts(resource)
        else:
            return
        for path, namespace, host in places:
            fqdn = mesh.fqdn(host, resource.namespace)
            if egress.is_external(fqdn, mesh):
                yield from self._check_host(resource, path, namespace, fqdn, mesh)

    def _dr_host(self, dr):
        host = dr.spec.get("host")
        if isinstance(host, str) and hosts.is_wildcard(host):
            yield ("spec", "host"), None, host

    def _sidecar_hosts(self, sidecar):
        egress_list = sidecar.spec.get("egress")
        for i, item in enumerate(egress_list if isinstance(egress_list, list) else []):
            names = item.get("hosts") if isinstance(item, dict) else None
            for j, text in enumerate(names if isinstance(names, list) else []):
                if isinstance(text, str) and "/" in text:
                    namespace, host = egress.split_namespaced(text)
                    if namespace != "~" and hosts.is_wildcard(host):
                        yield ("spec", "egress", i, "hosts", j), namespace, host

    def _gateway_hosts(self, gateway):
        servers = gateway.spec.get("servers")
        for i, server in enumerate(servers if isinstance(servers, list) else []):
            names = server.get("hosts") if isinstance(server, dict) else None
            for j, text in enumerate(names if isinstance(names, list) else []):
                if isinstance(text, str):
                    yield ("spec", "servers", i, "hosts", j), None, egress.split_namespaced(text)[1]

    def _check_host(self, resource, path, namespace, host, mesh):
        if any(
            hosts.matches(p, host) or hosts.matches(host, p) for p in mesh.settings.external_hosts
        ):
            return
        visible = mesh.services.lookup(host, resource.namespace)
        if _scoped(visible, namespace, resource.namespace):
            return
        policy = egress.outbound_policy(mesh)
        everywhere = mesh.services.lookup(host)
        in_place = _scoped(everywhere, namespace, resource.namespace)
        if in_place:
            why = f"{_refs(in_place)} defines it, but does not export it to {resource.namespace}"
        elif everywhere:
            wanted = resource.namespace if namespace == "." else namespace
            why = f"{_refs(everywhere)} defines it, but not in namespace {wanted}"
        else:
            why = "no ServiceEntry defines it"
        if policy == egress.REGISTRY_ONLY:
            effect = "the outbound policy is REGISTRY_ONLY, so sidecars block it"
        else:
            effect = (
                f"under {policy} its traffic leaves through the passthrough cluster, without "
                "the routing and TLS configured for it, and REGISTRY_ONLY would block it"
            )
        yield self.report(
            resource,
            path,
            f'external host "{host}" is not in the service registry: {why}; {effect}',
            severity=self._severity(policy),
        )

    def _severity(self, policy: str) -> Severity:
        if self.effective_severity != self.severity:
            return self.effective_severity
        return Severity.ERROR if policy == egress.REGISTRY_ONLY else Severity.INFO
