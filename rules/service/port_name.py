"""Service ports should tell Istio their protocol."""

import re

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.fix import Edit, Fix, replace
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.injection import SYSTEM_NAMESPACES
from meshlint.mesh.protocols import (
    KUBERNETES_APP_PROTOCOLS,
    PROTOCOLS,
    UNSUPPORTED,
    service_port_protocol,
)
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import string_map

ANALYZER = "service.PortNameAnalyzer"
GATEWAY_MANAGED = "gateway.istio.io/managed"
KNOWN_APP_PROTOCOLS = (*PROTOCOLS, *KUBERNETES_APP_PROTOCOLS)
_PORT_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def checked_ports(service):
    """(index, port entry, Istio protocol) of a Service's ports, for the Services Istio
    checks: not in Kubernetes' system namespaces, not Istio's own (an ``istio`` label or
    ``release: istio``) and not created by a gateway controller."""
    labels = service.labels
    if service.namespace in SYSTEM_NAMESPACES or GATEWAY_MANAGED in labels:
        return
    if "istio" in labels or labels.get("release") == "istio":
        return
    ports = service.spec.get("ports")
    for index, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict):
            continue
        app = port.get("appProtocol")
        protocol = service_port_protocol(
            as_int(port.get("port")),
            str(port.get("name") or ""),
            str(port.get("protocol") or "TCP"),
            str(app) if app is not None else None,
        )
        yield index, port, protocol


def external_name(service) -> bool:
    return service.spec.get("type") == "ExternalName"


class PortNameNoProtocol(Rule):
    """A Service port's name does not say which protocol it carries.

    ## What it does
    For Service ports without an `appProtocol`, checks that the name is a protocol Istio
    knows, alone or as a prefix before a dash: `http`, `http2`, `https`, `grpc`,
    `grpc-web`, `tcp`, `tls`, `udp`, `mongo`, `mysql`, `redis` (`http-web`, `tcp-db`).
    Unnamed ports are reported too, except UDP ports and the well-known ports Istio treats
    as TCP (25, 53, 3306, 27017). Services in Kubernetes' system namespaces, Istio's own
    Services and gateway-managed Services are skipped; ExternalName Services are left to
    `externalname-port-name`.
    When every container port the Service port targets is named after a protocol
    (`http-metrics`, `grpc`), `meshlint fix --unsafe` names the Service port after it
    (`web` -> `http-web`); unsafe because other objects may refer to the port by name.

    ## Why it matters
    Istio then sniffs the protocol of each connection: it works for HTTP and TLS, but
    adds latency, does not work for server-first protocols (MySQL, SMTP) and hides the
    intent; HTTP routing features are lost when detection fails.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - name: web  # <-
        port: 9080
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
      - name: http-web
        port: 9080
    ```
    """

    id = "ML620"
    name = "service-port-name-protocol"
    severity = Severity.INFO
    category = "best-practice"
    kinds = ("Service", *WORKLOAD_KINDS)
    targets = ("Service",)
    equivalents = Equivalents(istio="IST0118", analyzers=(ANALYZER,), kiali="KIA0601")

    def check_resource(self, resource, mesh):
        if external_name(resource):
            return
        for index, port, protocol in checked_ports(resource):
            if protocol != UNSUPPORTED or port.get("appProtocol") is not None:
                continue
            name = port.get("name")
            number = port.get("port")
            if name:
                path = ("spec", "ports", index, "name")
                prefix = str(name).split("-", 1)[0]
                text = f'port name "{name}" (port {number}) names no protocol Istio knows' + hint(
                    prefix.lower(), PROTOCOLS
                )
            else:
                path = ("spec", "ports", index)
                text = f"port {number} has no name"
            yield self.report(
                resource,
                path,
                f"{text}: name it <protocol>[-<suffix>] (e.g. http-web, tcp-db) or set "
                "appProtocol, or Istio has to detect the protocol",
                fixes=protocol_name_fixes(
                    resource, index, container_protocol(resource, port, mesh)
                ),
            )


class AppProtocolUnknown(Rule):
    """A Service port's `appProtocol` is not a protocol Istio knows.

    ## What it does
    For Service ports with an `appProtocol`, checks it the way Istio reads it: a protocol
    Istio knows (`http`, `http2`, `https`, `grpc`, `grpc-web`, `tcp`, `tls`, `udp`,
    `mongo`, `mysql`, `redis`, optionally followed by `-<suffix>`), or a Kubernetes
    standard value (`kubernetes.io/h2c`, `kubernetes.io/ws`, `kubernetes.io/wss`). The
    same Services as `service-port-name-protocol` are skipped. When `appProtocol` is set,
    Istio ignores the port name.

    ## Why it matters
    An unknown `appProtocol` makes Istio fall back to protocol detection, with its latency
    and its failures on server-first protocols.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - name: web
        port: 9080
        appProtocol: rest  # <-
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
      - name: web
        port: 9080
        appProtocol: http
    ```
    """

    id = "ML621"
    name = "service-app-protocol-unknown"
    severity = Severity.INFO
    category = "best-practice"
    kinds = ("Service",)
    equivalents = Equivalents(istio="IST0118", analyzers=(ANALYZER,), kiali="KIA0602")

    def check_resource(self, resource, mesh):
        if external_name(resource):
            return
        for index, port, protocol in checked_ports(resource):
            app = port.get("appProtocol")
            if protocol != UNSUPPORTED or app is None:
                continue
            yield self.report(
                resource,
                ("spec", "ports", index, "appProtocol"),
                f'appProtocol "{app}" (port {port.get("port")}) is not a protocol Istio '
                f"knows{hint(str(app).lower(), KNOWN_APP_PROTOCOLS)}",
            )


class ExternalNamePortName(Rule):
    """An ExternalName Service's port name gives Istio no usable protocol.

    ## What it does
    For Services of type ExternalName, reports ports whose name (or `appProtocol`) names
    no protocol Istio knows, and ports named exactly `tcp`. The same Services as
    `service-port-name-protocol` are skipped. When the port's `appProtocol` names the
    protocol, `meshlint fix --unsafe` names the port after it.

    ## Why it matters
    Istio turns an ExternalName Service into an external host whose port protocol comes
    from the port name. Without a usable protocol, or with plain `tcp`, the sidecar cannot
    tell the destinations on that port apart and may fail to forward TCP traffic that
    matches no route.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: payments
    spec:
      type: ExternalName
      externalName: payments.example.com
      ports:
      - name: tcp  # <-
        port: 443
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: payments
    spec:
      type: ExternalName
      externalName: payments.example.com
      ports:
      - name: https
        port: 443
    ```
    """

    id = "ML622"
    name = "externalname-port-name"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Service",)
    equivalents = Equivalents(istio="IST0150", analyzers=(ANALYZER,))

    def check_resource(self, resource, mesh):
        if not external_name(resource):
            return
        for index, port, protocol in checked_ports(resource):
            name = port.get("name")
            if protocol != UNSUPPORTED and name != "tcp":
                continue
            path = ("spec", "ports", index, "name") if name else ("spec", "ports", index)
            label = f'port name "{name}"' if name else "an unnamed port"
            app = port.get("appProtocol")
            protocol = name_protocol(str(app)) if app is not None else None
            yield self.report(
                resource,
                path,
                f"ExternalName Service {resource.name} has {label} (port {port.get('port')}): "
                "name it after the protocol it carries, such as https or tls, or http-<suffix>",
                fixes=protocol_name_fixes(resource, index, protocol, replace_name=name == "tcp"),
            )


def name_protocol(name: str) -> str | None:
    """The protocol a port name (or appProtocol) starts with, as written in port names:
    ``http-metrics`` -> ``http``; None when it names none (or only UDP)."""
    lowered = name.lower()
    if lowered.startswith("grpc-web"):
        return "grpc-web"
    prefix = lowered.split("-", 1)[0]
    return prefix if prefix in PROTOCOLS and prefix not in ("udp", "http_proxy") else None


def container_protocol(service, port: dict, mesh) -> str | None:
    """The protocol the names of the container ports a Service port targets agree on: the
    named target port itself, or the ports of that number or name on every workload the
    Service selects."""
    target = port.get("targetPort", port.get("port"))
    selector = string_map(service.spec.get("selector"))
    found = set()
    for workload in mesh.workloads.matching(selector, service.namespace) if selector else ():
        for container in workload.containers():
            entries = container.get("ports")
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, dict) and _targets(target, entry):
                    found.add(name_protocol(str(entry.get("name") or "")))
    if not found and isinstance(target, str):
        found.add(name_protocol(target))
    return found.pop() if len(found) == 1 else None


def _targets(target: object, entry: dict) -> bool:
    if isinstance(target, str):
        return entry.get("name") == target
    number = as_int(target)
    return number is not None and as_int(entry.get("containerPort")) == number


def protocol_name_fixes(
    service, index: int, protocol: str | None, *, replace_name: bool = False
) -> list[Fix]:
    """Name the port ``<protocol>-<name>`` (``<protocol>`` when it has no name or its
    name is to be replaced), if that is a valid port name no other port of the Service has.
    Unsafe: Ingresses, ServiceMonitors and the like may refer to the port by name."""
    if protocol is None:
        return []
    ports = [p for p in service.spec.get("ports") or () if isinstance(p, dict)]
    port = service.spec["ports"][index]
    name = str(port.get("name") or "")
    new = protocol if replace_name or not name else f"{protocol}-{name}"
    taken = {str(p.get("name")) for p in ports if p is not port and p.get("name")}
    if new == name or new in taken or len(new) > 63 or not _PORT_NAME.fullmatch(new):
        return []
    path = ("spec", "ports", index, "name")
    title = f'Name the port "{new}"'
    if name:
        return [replace(path, new, title)]
    return [Fix(title, (Edit("insert", path, new),))]
