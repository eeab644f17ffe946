"""Services selecting one in-mesh workload must agree on its ports."""

from collections import defaultdict
from dataclasses import dataclass

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.mesh.injection import in_mesh
from meshlint.mesh.protocols import UNSUPPORTED, service_port_protocol
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import workload_of

ANALYZER = "deployment.ServiceAssociationAnalyzer"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")
KINDS = (*WORKLOADS, "Service", "Namespace")
GATEWAY_MANAGED = "gateway.istio.io/managed"


@dataclass(frozen=True, slots=True)
class PortUse:
    """One port of a Service that selects the workload."""

    service: object
    index: int
    port: int
    target: str
    protocol: str

    @property
    def related(self):
        return related_to(self.service, ("spec", "ports", self.index), f"{self.service.ref}")


def _port_uses(service) -> list[PortUse]:
    ports = service.spec.get("ports")
    out = []
    for index, item in enumerate(ports if isinstance(ports, list) else []):
        number = as_int(item.get("port")) if isinstance(item, dict) else None
        if number is None:
            continue
        target = item.get("targetPort")
        target_text = str(number) if target in (None, "", 0, "0") else str(target)
        app = item.get("appProtocol")
        protocol = service_port_protocol(
            number,
            str(item.get("name") or ""),
            str(item.get("protocol") or "TCP"),
            str(app) if app is not None else None,
        )
        out.append(PortUse(service, index, number, target_text, protocol))
    return out


def selecting_ports(workload, mesh) -> list[PortUse]:
    """Ports of the analyzed Services (same namespace, non-empty selector) selecting the
    workload's pods."""
    services = {
        e.resource.key: e.resource
        for e in mesh.services_selecting(workload.labels, workload.namespace)
        if e.resource.file != ASSUMED_FILE
    }
    return [use for service in services.values() for use in _port_uses(service)]


def checked_workloads(mesh):
    """(resource, template labels path, label class, ports) of in-mesh workloads that
    Services select. Workloads of one class (namespace and labels) are selected by the
    same Services: their ports are gathered once, and shared."""
    by_class: dict[tuple, list[PortUse]] = {}
    for resource in mesh.of_kind(*WORKLOADS):
        if not resource.linted or GATEWAY_MANAGED in resource.labels:
            continue
        workload = workload_of(resource)
        if workload is None or not in_mesh(workload, mesh):
            continue
        key = (workload.namespace, frozenset(workload.labels.items()))
        if key not in by_class:
            by_class[key] = selecting_ports(workload, mesh)
        if by_class[key]:
            yield resource, (*workload.template_path, "metadata", "labels"), key, by_class[key]


class ServicesProtocolConflict(Rule):
    """Services selecting the same in-mesh workload give one port different protocols.

    ## What it does
    For each Deployment, StatefulSet and DaemonSet whose pods are in the mesh (they have
    an `istio-proxy` container, opt in with `sidecar.istio.io/inject: "true"`, or their
    Namespace object in the analyzed files enables injection), collects the ports of the
    Services in its namespace that select its pod template, and reports each port number
    that they give different protocols. The protocol is Istio's: UDP, else the one named by
    `appProtocol` or the port name prefix (`http-web` is HTTP). Istio compares only the
    Kubernetes `protocol` field (TCP, UDP), which misses an `http` and a `tcp` port on the
    same number. A port that names no protocol (left to Istio's detection, such as the
    unnamed port of a headless Service) conflicts with nothing. Gateway-managed deployments
    (waypoints) are skipped.

    ## Why it matters
    The sidecar builds one inbound listener per port: only one of the protocols is used,
    and traffic of the other Service is misrouted or treated as opaque TCP.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio-injection: enabled}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: details
      namespace: shop
    spec:
      selector:
        matchLabels: {app: details}
      template:
        metadata:
          labels: {app: details}  # <-
        spec:
          containers:
          - name: details
            image: details:v1
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: details-http
      namespace: shop
    spec:
      selector: {app: details}
      ports:
      - {name: http, port: 9080}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: details-tcp
      namespace: shop
    spec:
      selector: {app: details}
      ports:
      - {name: tcp, port: 9080}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio-injection: enabled}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: details
      namespace: shop
    spec:
      selector:
        matchLabels: {app: details}
      template:
        metadata:
          labels: {app: details}
        spec:
          containers:
          - name: details
            image: details:v1
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: details
      namespace: shop
    spec:
      selector: {app: details}
      ports:
      - {name: http, port: 9080}
    ```
    """

    id = "ML611"
    name = "services-port-protocol-conflict"
    severity = Severity.WARNING
    category = "conflict"
    kinds = KINDS
    targets = WORKLOADS
    equivalents = Equivalents(istio="IST0116", analyzers=(ANALYZER,))

    def check(self, mesh):
        conflicts: dict[tuple, list] = {}
        for resource, labels_path, key, ports in checked_workloads(mesh):
            if key not in conflicts:
                conflicts[key] = self._conflicts(ports)
            for number, uses, text in conflicts[key]:
                yield self.report(
                    resource,
                    labels_path,
                    f"{resource.ref} is selected by Services that give port {number} "
                    f"different protocols: {text}",
                    related=[u.related for u in uses],
                )

    @staticmethod
    def _conflicts(ports: list[PortUse]) -> list[tuple[int, list[PortUse], str]]:
        """(port, the first uses, how they are listed) of each port given several
        protocols."""
        by_port: dict[int, dict[str, list[PortUse]]] = defaultdict(lambda: defaultdict(list))
        for use in ports:
            if use.protocol != UNSUPPORTED:
                by_port[use.port][use.protocol].append(use)
        out = []
        for number, protocols in sorted(by_port.items()):
            if len(protocols) < 2:
                continue
            uses = sorted(
                (u for us in protocols.values() for u in us), key=lambda u: u.service.name
            )
            named = uses[:MAX_NAMED]
            text = ", ".join(f"{u.service.name} ({u.protocol})" for u in named)
            if len(uses) > MAX_NAMED:
                text += f" and {len(uses) - MAX_NAMED} more"
            out.append((number, named, text))
        return out


class ServicesTargetPortConflict(Rule):
    """Services selecting the same in-mesh workload map different ports to one targetPort.

    ## What it does
    For the same in-mesh workloads as `services-port-protocol-conflict`, reports each
    container port (`targetPort`, by number or name; the port itself when unset) that the
    selecting Services reach through different service port numbers.

    ## Why it matters
    Istio keys the workload's inbound configuration by service port: with two service
    ports on one container port, only one of them gets its protocol and policies applied,
    and requests through the other may be misrouted or rejected.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio-injection: enabled}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cart
      namespace: shop
    spec:
      selector:
        matchLabels: {app: cart}
      template:
        metadata:
          labels: {app: cart}  # <-
        spec:
          containers:
          - name: cart
            image: cart:v1
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: cart
      namespace: shop
    spec:
      selector: {app: cart}
      ports:
      - {name: http, port: 9080, targetPort: 9080}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: cart-legacy
      namespace: shop
    spec:
      selector: {app: cart}
      ports:
      - {name: http, port: 80, targetPort: 9080}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels: {istio-injection: enabled}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cart
      namespace: shop
    spec:
      selector:
        matchLabels: {app: cart}
      template:
        metadata:
          labels: {app: cart}
        spec:
          containers:
          - name: cart
            image: cart:v1
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: cart
      namespace: shop
    spec:
      selector: {app: cart}
      ports:
      - {name: http, port: 9080, targetPort: 9080}
    ```
    """

    id = "ML612"
    name = "services-target-port-conflict"
    severity = Severity.WARNING
    category = "conflict"
    kinds = KINDS
    targets = WORKLOADS
    equivalents = Equivalents(istio="IST0137", analyzers=(ANALYZER,))

    def check(self, mesh):
        conflicts: dict[tuple, list] = {}
        for resource, labels_path, key, ports in checked_workloads(mesh):
            if key not in conflicts:
                conflicts[key] = self._conflicts(ports)
            for target, uses, listed in conflicts[key]:
                yield self.report(
                    resource,
                    labels_path,
                    f"{resource.ref} is selected by Services that reach its targetPort "
                    f"{target} through different ports: {listed}",
                    related=[u.related for u in uses],
                )

    @staticmethod
    def _conflicts(ports: list[PortUse]) -> list[tuple[str, list[PortUse], str]]:
        """(target port, the first uses, how they are listed) of each target port reached
        through several service ports."""
        by_target: dict[str, dict[int, PortUse]] = defaultdict(dict)
        for use in ports:
            by_target[use.target].setdefault(use.port, use)
        out = []
        for target, uses in sorted(by_target.items()):
            if len(uses) < 2:
                continue
            by_number = [u for _, u in sorted(uses.items())]
            listed = ", ".join(f"{u.port} ({u.service.name})" for u in by_number[:MAX_NAMED])
            if len(uses) > MAX_NAMED:
                listed += f" and {len(uses) - MAX_NAMED} more"
            named = [u for u in uses.values() if u in by_number[:MAX_NAMED]]
            out.append((target, named, listed))
        return out
