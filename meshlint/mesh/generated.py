"""Objects Istio creates from the analyzed files, so that references to them resolve.

- An ``IstioOperator`` install spec declares gateways (``components.ingressGateways`` and
  ``egressGateways``): ``istioctl install`` deploys each as a Deployment whose pods carry
  ``app: <name>`` and ``istio: <name without istio->`` (or the entry's ``label``), behind
  a Service of the same name with the entry's ``k8s.service.ports`` (Istio's defaults
  when it lists none).
- A Gateway API ``Gateway`` of class ``istio`` (or of a GatewayClass with Istio's gateway
  controller) gets a Deployment and a Service named ``<name>-<class>``; one of class
  ``istio-waypoint`` or ``istio-east-west`` (Istio's other controllers) gets them named
  ``<name>``. Their pods carry ``gateway.networking.k8s.io/gateway-name: <name>`` and
  the infrastructure labels (the Gateway's own labels when it sets none); the Service has
  the status port and one port per listener port. A Gateway that names a hostname
  address points at an existing deployment, so nothing is created for it.

Each generated object is a Pod and a Service, not linted, positioned at the entry that
declares it, in the declaring file. An edit to a declaring resource (or to a GatewayClass)
changes them: :func:`regenerated` tells which changed between two runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from meshlint.core.nodes import PMap, Span, positioned
from meshlint.fieldpath import get
from meshlint.mesh.settings import GatewayPort, default_gateways
from meshlint.model import Resource, as_list, string_map

INSTALL_GROUP = "install.istio.io"
GATEWAY_API = "gateway.networking.k8s.io"
GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
LEGACY_GATEWAY_NAME_LABEL = "istio.io/gateway-name"
#: Istio's built-in Gateway classes and the controller of each.
ISTIO_CLASSES = {
    "istio": "istio.io/gateway-controller",
    "istio-waypoint": "istio.io/mesh-controller",
    "istio-east-west": "istio.io/eastwest-controller",
}
#: The controller whose deployments are named ``<gateway>-<class>``; Istio's other
#: deploying controllers name them after the Gateway.
SUFFIXED_CONTROLLER = "istio.io/gateway-controller"
UNMANAGED_CONTROLLER = "istio.io/unmanaged-gateway"
STATUS_PORT = 15021
HBONE_PORT = 15008
DEFAULT_NAMESPACE = "istio-system"
#: The kinds that declare gateway deployments.
_DECLARING_KINDS = frozenset({"IstioOperator", "Gateway"})
#: The kinds of the objects generated.
GENERATED_KINDS = ("Pod", "Service")


def generated_resources(resources: Iterable[Resource]) -> list[Resource]:
    """The Pods and Services Istio creates for the install specs and Gateway API gateways
    among ``resources``, except those an input already defines."""
    resources = list(resources)
    controllers = dict(ISTIO_CLASSES)
    declaring: list[Resource] = []
    for resource in resources:
        kind = resource.kind
        if kind == "GatewayClass" and resource.group == GATEWAY_API:
            controllers[resource.name] = str(resource.spec.get("controllerName") or "")
        elif kind in _DECLARING_KINDS:
            declaring.append(resource)
    out: list[Resource] = []
    taken: set[tuple] | None = None
    for resource in declaring:
        if resource.kind == "IstioOperator" and resource.group == INSTALL_GROUP:
            made = operator_gateways(resource)
        elif resource.kind == "Gateway" and resource.group == GATEWAY_API:
            controller = controllers.get(str(resource.spec.get("gatewayClassName")), "")
            made = gateway_deployment(resource, controller)
        else:
            continue
        for item in made:
            if taken is None:
                taken = {r.key for r in resources}
            if item.key not in taken:
                taken.add(item.key)
                out.append(item)
    return out


def generated_among(resources: Iterable[Resource]) -> list[Resource]:
    """The generated objects among ``resources`` (of the generated kinds, say)."""
    return [r for r in resources if r.generated_by]


def regenerated(before: Iterable[Resource], after: Iterable[Resource]) -> list[Resource]:
    """The generated objects of one run (``before``) and of the next (``after``) that the
    other has no identical copy of (same identity, body, position and declaring file):
    what an edit changed among the objects Istio would create."""
    before, after = generated_among(before), generated_among(after)
    if not before and not after:
        return []
    old = {_identity(r): r for r in before}
    new = {_identity(r): r for r in after}
    changed = [r for r in before if not _same(r, new.get(_identity(r)))]
    return changed + [r for r in after if not _same(r, old.get(_identity(r)))]


def _identity(resource: Resource) -> tuple:
    return resource.key, resource.file, resource.document, resource.generated_by


def _same(resource: Resource, other: Resource | None) -> bool:
    return (
        other is not None
        and resource.body == other.body
        and getattr(resource.body, "span", None) == getattr(other.body, "span", None)
    )


def operator_gateways(operator: Resource) -> list[Resource]:
    """A Pod and a Service for each enabled gateway the install spec declares."""
    components = get(operator.body, ("spec", "components"))
    if not isinstance(components, dict):
        return []
    namespace = operator.spec.get("namespace")
    if not namespace:
        namespace = DEFAULT_NAMESPACE if operator.namespace_defaulted else operator.namespace
    namespace = str(namespace or DEFAULT_NAMESPACE)
    defaults = {g.name: g.ports for g in default_gateways()}
    out: list[Resource] = []
    for field, default_name in (
        ("ingressGateways", "istio-ingressgateway"),
        ("egressGateways", "istio-egressgateway"),
    ):
        entries = components.get(field)
        for i, entry in enumerate(as_list(entries)):
            if not isinstance(entry, dict) or entry.get("enabled") is False:
                continue
            name = str(entry.get("name") or default_name)
            labels = {"app": name, "istio": name.removeprefix("istio-")}
            labels.update(string_map(entry.get("label")))
            ports = _operator_ports(get(entry, ("k8s", "service", "ports")))
            if ports is None:
                ports = defaults[default_name]
            where = str(entry.get("namespace") or namespace)
            span = entries.item_spans[i] if hasattr(entries, "item_spans") else None
            out += _workload(operator, name, where, labels, ports, span)
    return out


def _operator_ports(value: object) -> list[GatewayPort] | None:
    if not isinstance(value, list):
        return None
    ports = []
    for item in value:
        port = item.get("port") if isinstance(item, dict) else None
        if isinstance(port, int) and not isinstance(port, bool):
            target = item.get("targetPort", port)
            ports.append(
                GatewayPort(
                    port,
                    target if isinstance(target, int) else port,
                    str(item.get("name") or ""),
                    str(item.get("protocol") or "TCP"),
                )
            )
    return ports


def gateway_pod_labels(gateway: Resource) -> dict[str, str]:
    """The labels Istio puts on a Gateway's pods: its name, plus the infrastructure labels
    (the Gateway's own labels when it sets none)."""
    infrastructure = gateway.spec.get("infrastructure")
    extra = infrastructure.get("labels") if isinstance(infrastructure, dict) else None
    labels = string_map(extra) if extra else dict(gateway.labels)
    labels[GATEWAY_NAME_LABEL] = gateway.name
    labels[LEGACY_GATEWAY_NAME_LABEL] = gateway.name
    return labels


def gateway_deployment(gateway: Resource, controller: str) -> list[Resource]:
    """The Pod and Service Istio deploys for a Gateway API Gateway whose class has one of
    Istio's controllers."""
    spec = gateway.spec
    if not controller.startswith("istio.io/") or controller == UNMANAGED_CONTROLLER:
        return []
    addresses = as_list(spec.get("addresses"))
    if any(isinstance(a, dict) and a.get("type") == "Hostname" for a in addresses):
        return []
    suffixed = controller == SUFFIXED_CONTROLLER
    name = f"{gateway.name}-{spec.get('gatewayClassName')}" if suffixed else gateway.name
    ports = [GatewayPort(STATUS_PORT, STATUS_PORT, "status-port")]
    if not suffixed:
        ports.append(GatewayPort(HBONE_PORT, HBONE_PORT, "mesh"))
    seen = {p.port for p in ports}
    for i, listener in enumerate(as_list(spec.get("listeners"))):
        port = listener.get("port") if isinstance(listener, dict) else None
        if not isinstance(port, int) or isinstance(port, bool) or port in seen:
            continue
        seen.add(port)
        protocol = str(listener.get("protocol") or "")
        label = str(listener.get("name") or f"{protocol.lower()}-{i}")
        ports.append(GatewayPort(port, port, label, app_protocol=protocol.lower() or None))
    labels = gateway_pod_labels(gateway)
    span = gateway.body.span if isinstance(gateway.body, PMap) else None
    selector = {GATEWAY_NAME_LABEL: gateway.name}
    return _workload(gateway, name, gateway.namespace, labels, ports, span, selector)


def _workload(
    source: Resource,
    name: str,
    namespace: str,
    labels: dict[str, str],
    ports: list[GatewayPort],
    span: Span | None,
    selector: dict[str, str] | None = None,
) -> list[Resource]:
    metadata = {"name": name, "namespace": namespace, "labels": dict(labels)}
    container_ports = [{"containerPort": p.target_port} for p in ports]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": [{"name": "istio-proxy", "image": "auto", "ports": container_ports}]
        },
    }
    service_ports = []
    for p in ports:
        entry: dict = {"name": p.name, "port": p.port, "targetPort": p.target_port}
        entry["protocol"] = p.protocol
        if p.app_protocol:
            entry["appProtocol"] = p.app_protocol
        service_ports.append(entry)
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": dict(metadata),
        "spec": {"selector": dict(selector or labels), "ports": service_ports},
    }
    where = span or (0, 0, 0, 0)
    return [
        Resource(
            "v1",
            body["kind"],
            namespace,
            name,
            positioned(body, where),
            source.file,
            document=source.document,
            linted=False,
            cluster=source.cluster,
            generated_by=source.kind,
        )
        for body in (pod, service)
    ]
