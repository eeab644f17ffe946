"""Ambient waypoints: which namespaces, Services and workloads send their traffic through
a waypoint (``istio.io/use-waypoint``), and which configuration only a waypoint applies.

In ambient mode, ztunnel handles L4 only; HTTP routing, HTTP policy and HTTP telemetry
need a waypoint, and waypoints take policies attached with ``targetRefs``, not selectors.
Offline, a namespace is ambient only when its Namespace object says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from meshlint.fieldpath import get
from meshlint.mesh import hosts
from meshlint.mesh.index import Mesh
from meshlint.mesh.injection import is_ambient, namespace_resource
from meshlint.mesh.selection import has_target_ref, selector_of
from meshlint.model import Resource

USE_WAYPOINT = "istio.io/use-waypoint"
WAYPOINT_CLASS_LABEL = "gateway.networking.k8s.io/gateway-class-name"
#: ``when`` keys that need the HTTP request (``destination.port`` and the like are L4).
L7_CONDITION_PREFIXES = (
    "request.headers",
    "request.auth.claims",
    "request.auth.principal",
    "request.auth.audiences",
    "request.auth.presenter",
)
L7_OPERATION_FIELDS = ("methods", "notMethods", "paths", "notPaths", "hosts", "notHosts")


def ambient_namespace(mesh: Mesh, name: str) -> bool:
    """Whether the namespace's Namespace object puts it in ambient mode."""
    namespace = namespace_resource(mesh, name)
    return namespace is not None and is_ambient(namespace.labels)


def namespace_labels(mesh: Mesh, name: str) -> dict[str, str]:
    namespace = namespace_resource(mesh, name)
    return dict(namespace.labels) if namespace is not None else {}


def enrolled(own: Mapping[str, str] | None, namespace: Mapping[str, str]) -> bool:
    """Whether traffic goes through a waypoint: the resource's own ``use-waypoint`` label
    (``none`` opts out), else its namespace's."""
    for labels in (own, namespace):
        if labels is not None and USE_WAYPOINT in labels:
            return labels[USE_WAYPOINT] not in ("", "none")
    return False


# -- what needs a waypoint --------------------------------------------------------------


def _maps(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def l7_authorization(policy: Resource) -> str | None:
    """Why an AuthorizationPolicy needs a waypoint (HTTP attributes), or None."""
    for rule in _maps(policy.spec.get("rules")):
        for condition in _maps(rule.get("when")):
            key = str(condition.get("key") or "")
            if key.startswith(L7_CONDITION_PREFIXES):
                return f"its condition on {key}"
        for target in _maps(rule.get("to")):
            operation = target.get("operation")
            for field in L7_OPERATION_FIELDS:
                if isinstance(operation, dict) and operation.get(field):
                    return f"its HTTP {field.removeprefix('not').lower()}"
        for source in _maps(rule.get("from")):
            attributes = source.get("source")
            if isinstance(attributes, dict) and (
                attributes.get("requestPrincipals") or attributes.get("notRequestPrincipals")
            ):
                return "its request principals (JWT)"
    return None


def _l7_traffic_policy(policy: object) -> str | None:
    if not isinstance(policy, dict):
        return None
    if get(policy, ("loadBalancer", "consistentHash", "httpHeaderName")) or get(
        policy, ("loadBalancer", "consistentHash", "httpCookie")
    ):
        return "HTTP consistent-hash load balancing"
    if get(policy, ("connectionPool", "http")) is not None:
        return "HTTP connection pool settings"
    if policy.get("outlierDetection") is not None:
        return "outlier detection"
    return None


def l7_destination_rule(dr: Resource) -> str | None:
    """Why a DestinationRule needs a waypoint, or None."""
    found = _l7_traffic_policy(dr.spec.get("trafficPolicy"))
    for subset in _maps(dr.spec.get("subsets")):
        found = found or _l7_traffic_policy(subset.get("trafficPolicy"))
    return found


def l7_telemetry(telemetry: Resource) -> str | None:
    """Why a Telemetry needs a waypoint (tracing, access logs, metric overrides), or None."""
    spec = telemetry.spec
    if spec.get("tracing"):
        return "tracing"
    if spec.get("accessLogging"):
        return "access logging"
    if any(m.get("overrides") for m in _maps(spec.get("metrics"))):
        return "metric overrides"
    return None


def virtual_service_l7(vs: Resource) -> bool:
    """Whether a VirtualService routes HTTP or TLS for mesh (east-west) traffic."""
    spec = vs.spec
    gateways = spec.get("gateways")
    mesh_traffic = not gateways or (isinstance(gateways, list) and "mesh" in gateways)
    return mesh_traffic and bool(spec.get("http") or spec.get("tls"))


# -- who is enrolled --------------------------------------------------------------------


def is_waypoint(labels: Mapping[str, str]) -> bool:
    return labels.get(WAYPOINT_CLASS_LABEL) == "istio-waypoint"


def targets_not_enrolled(mesh: Mesh, policy: Resource) -> bool:
    """Whether a policy of an ambient namespace reaches workloads that bypass waypoints:
    its target Services, the workloads its selector selects, or its namespace."""
    ns_labels = namespace_labels(mesh, policy.namespace)
    if has_target_ref(policy):
        refs = _maps(policy.spec.get("targetRefs") or [policy.spec.get("targetRef")])
        names = [str(ref.get("name")) for ref in refs if ref.get("kind") == "Service"]
        if not names:
            return False  # attached to a Gateway: the waypoint (or gateway) itself
        services = [mesh.get("", "Service", policy.namespace, n) for n in names]
        known = [s for s in services if s is not None]
        if known:
            return any(not enrolled(s.labels, ns_labels) for s in known)
        return not enrolled(None, ns_labels)
    selector = selector_of(policy) or {}
    if selector:
        matched = [
            w
            for w in mesh.workloads.matching(selector, policy.namespace)
            if not is_waypoint(w.labels)
        ]
        if matched:
            return any(not enrolled(w.labels, ns_labels) for w in matched)
    return not enrolled(None, ns_labels)


@dataclass(slots=True)
class AmbientDestination:
    """A host of a VirtualService or DestinationRule that is a Service of an ambient
    namespace."""

    index: int
    service: Resource
    enrolled: bool


def ambient_destinations(mesh: Mesh, names: list[tuple[int, str]], namespace: str):
    """The ambient Services among ``(index, host)`` pairs (one entry per Service), and
    whether any host resolved to one."""
    seen: set[int] = set()
    out: list[AmbientDestination] = []
    domain = mesh.settings.cluster_domain
    for index, host in names:
        fqdn = mesh.fqdn(host, namespace)
        owner = hosts.cluster_local_namespace(fqdn, domain)
        if owner is None or "*" in fqdn or not ambient_namespace(mesh, owner):
            continue
        service = mesh.get("", "Service", owner, fqdn.split(".", 1)[0])
        if service is None or id(service) in seen:
            continue
        seen.add(id(service))
        ns_labels = namespace_labels(mesh, owner)
        out.append(AmbientDestination(index, service, enrolled(service.labels, ns_labels)))
    return out


def host_list(resource: Resource) -> Iterator[tuple[int, str]]:
    """``(index, host)``: a VirtualService's ``hosts`` or a DestinationRule's ``host``."""
    if resource.kind == "DestinationRule":
        host = resource.spec.get("host")
        if isinstance(host, str) and host:
            yield 0, host
        return
    entries = resource.spec.get("hosts")
    for i, host in enumerate(entries if isinstance(entries, list) else ()):
        if isinstance(host, str) and host:
            yield i, host
