"""Where the request enters the mesh: the client's sidecar, or a Gateway server.

A gateway is reached through its Service: the port the client dials is a Service
``port``, and the gateway's Envoy listens on that port's ``targetPort`` (Istio's default
ingress maps 80 to 8080), which must be the ``port.number`` of a server whose ``hosts``
cover the request's host (https://istio.io/latest/docs/reference/config/networking/gateway/#Server).
"""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.fieldpath import Path
from meshlint.mesh import hosts
from meshlint.mesh.gateways import gateway_selector, selected_workloads
from meshlint.mesh.index import ISTIO_NETWORKING, Mesh, gateway_name
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource, as_list
from meshlint.trace.request import Request, RequestError

SECTION_OF_PROTOCOL = {
    "HTTP": "http",
    "HTTP2": "http",
    "GRPC": "http",
    "HTTPS": "http",
    "TCP": "tcp",
}


@dataclass(slots=True)
class Entry:
    """The entry point: the namespace whose view of the mesh applies, the host to look up
    VirtualServices with, the listener port, the route section, and for a gateway the
    Gateway, its server and the namespaces its server admits VirtualServices from."""

    namespace: str
    host: str
    port: int
    section: str
    gateway: Resource | None = None
    server_path: Path = ()
    #: For a gateway server: (namespace part, host part) of each of its ``hosts``.
    server_hosts: tuple[tuple[str, str], ...] = ()

    def admits(self, vs: Resource, vs_host: str) -> bool:
        """Whether a gateway server takes a VirtualService's host (any, for a sidecar)."""
        if self.gateway is None:
            return True
        for namespace, pattern in self.server_hosts:
            if namespace == "." and vs.namespace != self.gateway.namespace:
                continue
            if namespace not in ("*", ".") and namespace != vs.namespace:
                continue
            if hosts.overlaps(pattern, vs_host):
                return True
        return False


@dataclass(slots=True)
class Refusal:
    """Why the gateway does not take the request: what happens, the step's resource and
    path, and whether it is decided (False: unknown)."""

    outcome: str
    reason: str
    resource: Resource | None
    path: Path
    decided: bool = True


def expand(host: str, namespace: str, domain: str) -> str:
    """The FQDN a client in ``namespace`` reaches by dialing ``host`` (DNS search
    domains: ``name``, ``name.ns``, ``name.ns.svc``)."""
    if "." not in host:
        return f"{host}.{namespace}.svc.{domain}"
    parts = host.split(".")
    if len(parts) == 2:
        return f"{host}.svc.{domain}"
    if len(parts) == 3 and parts[2] == "svc":
        return f"{host}.{domain}"
    return host


def sidecar_entry(mesh: Mesh, request: Request, namespace: str) -> Entry:
    fqdn = expand(request.host, namespace, mesh.settings.cluster_domain)
    section = {"http": "http", "https": "tls", "tcp": "tcp"}[request.scheme]
    return Entry(namespace, fqdn, request.port, section)


def find_gateway(mesh: Mesh, reference: str) -> Resource:
    namespace, name = gateway_name(reference, mesh.settings.default_namespace)
    gateway = mesh.get(ISTIO_NETWORKING, "Gateway", namespace, name)
    if gateway is None:
        raise RequestError(f"--gateway: no Gateway {namespace}/{name} among the inputs")
    return gateway


def gateway_workloads(mesh: Mesh, gateway: Resource) -> list[Workload]:
    """The gateway pods a Gateway selects (none for a Gateway without a selector)."""
    return selected_workloads(gateway, mesh) if gateway_selector(gateway) else []


def listener_port(
    mesh: Mesh, workloads: list[Workload], port: int
) -> tuple[int | None, Resource | None, str, bool]:
    """The gateway port a client reaches by dialing ``port`` on the gateway's Service:
    (target port, Service, reason when there is none, whether that is decided)."""
    services = {
        id(e): e for w in workloads for e in mesh.services_selecting(w.labels, w.namespace)
    }.values()
    if not services:
        return None, None, "no Service selects the gateway's pods among the inputs", False
    for entry in services:
        service_port = entry.port(port)
        if service_port is None:
            continue
        target = as_int(service_port.target_port)
        if target is None and isinstance(service_port.target_port, str):
            target = _named_port(workloads, service_port.target_port)
            if target is None:
                reason = (
                    f"targetPort {service_port.target_port} of {entry.resource.ref} "
                    "names no container port among the inputs"
                )
                return None, entry.resource, reason, False
        return (target if target is not None else port), entry.resource, "", True
    refs = ", ".join(sorted(e.resource.ref for e in services))
    return None, None, f"{refs} expose no port {port}", True


def _named_port(workloads: list[Workload], name: str) -> int | None:
    for workload in workloads:
        for container in workload.containers():
            for port in as_list(container.get("ports")):
                if isinstance(port, dict) and port.get("name") == name:
                    return as_int(port.get("containerPort"))
    return None


def _split_host(value: str) -> tuple[str, str]:
    namespace, sep, host = value.partition("/")
    return (namespace, host) if sep else ("*", value)


def specificity(pattern: str, host: str) -> tuple[int, int]:
    """How closely ``pattern`` names ``host``: exact beats wildcard, longer beats shorter."""
    return (0 if hosts.is_wildcard(pattern) else 1, len(pattern))


def gateway_entry(mesh: Mesh, request: Request, gateway: Resource, target: int) -> Entry | Refusal:
    """The server of ``gateway`` listening on ``target`` whose hosts cover the host."""
    servers = gateway.spec.get("servers")
    on_port = []
    for i, server in enumerate(servers if isinstance(servers, list) else ()):
        port = server.get("port") if isinstance(server, dict) else None
        if isinstance(port, dict) and as_int(port.get("number")) == target:
            on_port.append((i, server))
    if not on_port:
        return Refusal(
            "connection refused",
            f"no server of Gateway {gateway.qualified_name} listens on port {target}",
            gateway,
            ("spec", "servers"),
        )
    best: tuple | None = None
    for i, server in on_port:
        entries = [_split_host(str(h)) for h in as_list(server.get("hosts"))]
        for _, pattern in entries:
            if hosts.matches(pattern, request.host):
                rank = specificity(pattern, request.host)
                if best is None or rank > best[0]:
                    best = (rank, i, server, tuple(entries))
    if best is None:
        i = on_port[0][0]
        outcome = "404 Not Found" if request.scheme == "http" else "connection reset"
        return Refusal(
            outcome,
            f"no server of Gateway {gateway.qualified_name} on port {target} "
            f"has a host matching {request.host}",
            gateway,
            ("spec", "servers", i, "hosts"),
        )
    _, i, server, entries = best
    protocol = str((server.get("port") or {}).get("protocol", "")).upper()
    tls_mode = (
        str((server.get("tls") or {}).get("mode", ""))
        if isinstance(server.get("tls"), dict)
        else ""
    )
    if protocol in ("HTTPS", "TLS") and tls_mode == "PASSTHROUGH":
        section = "tls"
    elif protocol == "TLS":
        section = "tcp"
    else:
        section = SECTION_OF_PROTOCOL.get(protocol, "http")
    namespace = gateway.namespace
    return Entry(
        namespace,
        request.host,
        target,
        section,
        gateway,
        ("spec", "servers", i),
        entries,
    )
