"""Egress: which hosts lie outside the mesh, which Gateways run on the egress gateway, and
which gateways each VirtualService route rule applies to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from meshlint.fieldpath import Path
from meshlint.mesh import hosts
from meshlint.mesh.index import ISTIO_NETWORKING, Mesh, gateway_name
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.memo import per_resource
from meshlint.mesh.workloads import Workload, selects
from meshlint.model import Resource, string_map
from meshlint.validation.walk import ROUTE_SECTIONS

#: The labels of Istio's default egress gateway deployment.
EGRESS_LABELS = {"istio": "egressgateway"}
MESH = "mesh"
REGISTRY_ONLY = "REGISTRY_ONLY"
ALLOW_ANY = "ALLOW_ANY"
TLS_PROTOCOLS = frozenset({"HTTPS", "TLS"})
HTTP_PROTOCOLS = frozenset({"HTTP", "HTTP2", "GRPC", "GRPC-WEB"})


def outbound_policy(mesh: Mesh) -> str:
    """The mesh's ``outboundTrafficPolicy.mode`` (mesh config and ``istio`` ConfigMap)."""
    policy = effective_mesh_config(mesh).get("outboundTrafficPolicy")
    mode = policy.get("mode") if isinstance(policy, dict) else None
    return str(mode or ALLOW_ANY)


def is_external(host: str, mesh: Mesh) -> bool:
    """Whether a (fully qualified) host names something outside the cluster: not ``*``,
    not an IP address, not under ``.local`` or the cluster domain, and not the
    ``name.namespace`` or ``name.namespace.svc`` short form of a known namespace."""
    if not host or host == "*" or hosts.is_ip(host) or "." not in host:
        return False
    domain = mesh.settings.cluster_domain
    if host.endswith((".local", f".{domain}")):
        return False
    labels = host.split(".")
    if len(labels) == 3 and labels[2] == "svc":
        return False
    return not (len(labels) == 2 and labels[1] in mesh.namespaces_seen)


def split_namespaced(text: str) -> tuple[str | None, str]:
    """``ns/host`` -> (ns, host); a bare host -> (None, host)."""
    if "/" in text:
        namespace, _, host = text.partition("/")
        return namespace, host
    return None, text


# -- egress gateways -------------------------------------------------------------------


def egress_workloads(mesh: Mesh, labels: Mapping[str, str]) -> list[Workload]:
    """The egress gateway deployments (analyzed or assumed) carrying ``labels``."""
    return mesh.workloads.matching(labels)


def is_egress_gateway(gateway: Resource, mesh: Mesh, labels: Mapping[str, str]) -> bool:
    """Whether an Istio Gateway configures the egress gateway: its selector names the
    egress labels, or selects a workload that carries them."""
    if gateway.group != ISTIO_NETWORKING:
        return False
    selector = string_map(gateway.spec.get("selector"))
    if not selector:
        return False
    if selects(labels, selector):
        return True
    return any(selects(labels, w.labels) for w in mesh.workloads.matching(selector))


def egress_gateways(mesh: Mesh, labels: Mapping[str, str]) -> list[Resource]:
    return [g for g in mesh.of_kind("Gateway") if is_egress_gateway(g, mesh, labels)]


def egress_service_hosts(mesh: Mesh, labels: Mapping[str, str]) -> set[str]:
    """Hosts of the Services in front of the egress gateway deployments."""
    return {
        entry.host
        for workload in egress_workloads(mesh, labels)
        for entry in mesh.services_selecting(workload.labels, workload.namespace)
    }


# -- VirtualService route rules and their gateways ------------------------------------


@dataclass(slots=True)
class RouteRule:
    """One ``http``/``tls``/``tcp`` rule of a VirtualService, with the gateways it applies
    to (``mesh``, or ``(namespace, name)`` of a Gateway) and its destination hosts."""

    section: str
    path: Path
    gateways: frozenset
    destinations: list[tuple[Path, str]]
    ports: frozenset[int]
    sni_hosts: list[str]

    def applies_to_mesh(self) -> bool:
        return MESH in self.gateways


def gateway_key(reference: str, namespace: str) -> str | tuple[str, str]:
    return MESH if reference == MESH else gateway_name(reference, namespace)


def vs_gateways(vs: Resource) -> frozenset:
    """The gateways a VirtualService is bound to (``mesh`` when it names none)."""
    refs = vs.spec.get("gateways")
    names = [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []
    return frozenset(gateway_key(r, vs.namespace) for r in names) or frozenset({MESH})


@per_resource
def route_rules(vs: Resource) -> tuple[RouteRule, ...]:
    """Every route rule of a VirtualService. A match clause with its own ``gateways``
    applies to those; one without, to the VirtualService's. Shared between callers: do
    not modify them."""
    return tuple(_route_rules(vs))


def _route_rules(vs: Resource) -> Iterator[RouteRule]:
    default = vs_gateways(vs)
    for section in ROUTE_SECTIONS:
        rules = vs.spec.get(section)
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict):
                continue
            gateways, ports, sni = set(), set(), []
            matches = rule.get("match")
            matches = (
                [m for m in matches if isinstance(m, dict)] if isinstance(matches, list) else []
            )
            for match in matches:
                refs = match.get("gateways")
                if isinstance(refs, list) and refs:
                    gateways |= {gateway_key(str(r), vs.namespace) for r in refs}
                else:
                    gateways |= default
                port = match.get("port")
                if isinstance(port, int) and not isinstance(port, bool):
                    ports.add(port)
                names = match.get("sniHosts")
                sni += [str(n) for n in names] if isinstance(names, list) else []
            yield RouteRule(
                section,
                ("spec", section, i),
                frozenset(gateways) if matches else default,
                list(_destinations(rule, ("spec", section, i))),
                frozenset(ports),
                sni,
            )


def _destinations(rule: dict, path: Path) -> Iterator[tuple[Path, str]]:
    routes = rule.get("route")
    for j, route in enumerate(routes if isinstance(routes, list) else []):
        dest = route.get("destination") if isinstance(route, dict) else None
        if isinstance(dest, dict) and isinstance(dest.get("host"), str):
            yield (*path, "route", j, "destination", "host"), dest["host"]
