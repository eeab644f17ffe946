"""A Service's target ports must be ports of the workloads it selects."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import WORKLOAD_KINDS, Workload
from meshlint.model import Resource, string_map

#: Labels of Services that front gateways and waypoints (Istio or Gateway API managed).
GATEWAY_LABELS = (
    "gateway.istio.io/managed",
    "gateway.networking.k8s.io/gateway-name",
    "istio.io/gateway-name",
)


def container_ports(workload: Workload) -> tuple[set[int], set[str]]:
    """Declared container port numbers and names (native sidecars included)."""
    numbers: set[int] = set()
    names: set[str] = set()
    for container in (*workload.containers(), *workload.containers(init=True)):
        ports = container.get("ports")
        for port in ports if isinstance(ports, list) else ():
            if not isinstance(port, dict):
                continue
            number = as_int(port.get("containerPort"))
            if number is not None:
                numbers.add(number)
            if port.get("name"):
                names.add(str(port["name"]))
    return numbers, names


def missing_on(target: int | str, workloads: list[Workload]) -> list[Workload]:
    """The workloads a target port does not reach: a name they do not declare, or a
    number absent from the ports they declare (undeclared ports are not checked)."""
    out = []
    for workload in workloads:
        numbers, names = container_ports(workload)
        if isinstance(target, str):
            if target not in names:
                out.append(workload)
        elif numbers and target not in numbers:
            out.append(workload)
    return out


def skipped(service: Resource, root: str) -> bool:
    """Control-plane, gateway and waypoint Services, and those without a selector."""
    spec = service.spec
    return (
        service.namespace == root
        or spec.get("type") == "ExternalName"
        or not string_map(spec.get("selector"))
        or any(label in service.labels for label in GATEWAY_LABELS)
        or "istio" in string_map(spec.get("selector"))
    )


class ServicePortNotExposed(Rule):
    """A Service port targets a port its workloads do not expose.

    ## What it does
    For each Service with a selector, finds the Pods and pod templates it selects in its
    namespace and checks each port's `targetPort` (the `port` when unset): a named
    target port must be the name of a container port of every selected workload; a
    number must be one of the container ports of each workload that declares any
    (declaring container ports is optional in Kubernetes, so workloads declaring none
    are not checked by number). A number is reported at info (Kiali warns, KIA0701):
    the container may listen on a port it does not declare; a name that no container
    declares leaves the Service without endpoints and is a warning. Services of the root
    namespace, gateways and waypoints are skipped, as in Kiali; unlike Kiali, which
    compares a Deployment's own labels, meshlint matches the selector with the pod
    template's labels.

    ## Why it matters
    A named target port that a pod does not declare gives no endpoint for that pod: the
    Service silently loses those backends (all of them if no pod declares it). A number
    that the container does not declare is usually a port changed on one side only, and
    requests then reach a closed port and fail with connection errors.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ratings
    spec:
      selector:
        matchLabels: {app: ratings}
      template:
        metadata:
          labels: {app: ratings}
        spec:
          containers:
          - name: ratings
            image: istio/examples-bookinfo-ratings-v1
            ports:
            - {name: http, containerPort: 9080}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - name: http
        port: 80
        targetPort: 8080  # <-
      - name: http-metrics
        port: 9090
        targetPort: metrics  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ratings
    spec:
      selector:
        matchLabels: {app: ratings}
      template:
        metadata:
          labels: {app: ratings}
        spec:
          containers:
          - name: ratings
            image: istio/examples-bookinfo-ratings-v1
            ports:
            - {name: http, containerPort: 9080}
            - {name: metrics, containerPort: 9090}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - name: http
        port: 80
        targetPort: 9080
      - name: http-metrics
        port: 9090
        targetPort: metrics
    ```
    """

    id = "ML660"
    name = "service-port-not-exposed"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("Service", *WORKLOAD_KINDS, "ConfigMap")
    targets = ("Service",)
    equivalents = Equivalents(kiali="KIA0701")

    def check_resource(self, service, mesh):
        root = str(effective_mesh_config(mesh).get("rootNamespace") or "istio-system")
        if skipped(service, root):
            return
        selector = tuple(string_map(service.spec.get("selector")).items())
        if not _selected(mesh, service.namespace, selector):
            return
        ports = service.spec.get("ports")
        for i, port in enumerate(ports if isinstance(ports, list) else ()):
            if isinstance(port, dict):
                yield from self._check_port(service, i, port, mesh, selector)

    def _check_port(self, service, index, port, mesh, selector):
        raw = port.get("targetPort", port.get("port"))
        number = as_int(raw)
        target = number if number is not None else raw
        if not isinstance(target, int | str) or target in ("", 0):
            return
        missing = _missing(mesh, service.namespace, selector, target)
        if not missing:
            return
        field = "targetPort" if "targetPort" in port else "port"
        named = missing[:MAX_NAMED]
        refs = ", ".join(w.resource.ref for w in named)
        if len(missing) > MAX_NAMED:
            refs += f" and {len(missing) - MAX_NAMED} more"
        named_port = isinstance(target, str)
        yield self.report(
            service,
            ("spec", "ports", index, field),
            f'target {"named port" if named_port else "port"} "{target}" is not a container '
            f"port of {refs}: "
            + (
                "those pods get no endpoint for this port"
                if named_port
                else "requests reach a port the container does not declare (declaring it "
                "is optional: the container may listen on it all the same)"
            ),
            severity=None if named_port else Severity.INFO,
            related=[
                related_to(w.resource, (*w.template_path, "spec", "containers"), w.resource.ref)
                for w in named
            ],
        )


@per_mesh
def _selected(mesh, namespace: str, selector: tuple) -> list[Workload]:
    """The workloads of the analyzed files a Service selector selects (once per selector)."""
    return [
        w
        for w in mesh.workloads.matching(dict(selector), namespace)
        if w.resource.file != ASSUMED_FILE
    ]


@per_mesh
def _missing(mesh, namespace: str, selector: tuple, target: int | str) -> list[Workload]:
    """The workloads a Service selector selects that a target port does not reach (once
    per selector and target: Services that share them share the answer)."""
    return missing_on(target, _selected(mesh, namespace, selector))
