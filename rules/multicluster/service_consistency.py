"""A Service must look the same in every cluster of a multi-cluster mesh."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.services import as_int

#: (reason, field path) of each property compared across clusters.
ASPECTS = (
    ("headless in some clusters, with a cluster IP in others", ("spec", "clusterIP")),
    ("different types", ("spec", "type")),
    ("different ports", ("spec", "ports")),
)


def shape(service) -> tuple:
    """What must agree across clusters, with Kubernetes defaults filled in: headless or
    not, type, and ports (name, protocol, port, targetPort, appProtocol) by name.
    Node ports are assigned per cluster and are not compared."""
    spec = service.spec
    ports = spec.get("ports")
    normalized = tuple(
        sorted(
            (
                str(p.get("name") or ""),
                str(p.get("protocol") or "TCP"),
                as_int(p.get("port")),
                str(p.get("targetPort", p.get("port"))),
                str(p.get("appProtocol") or ""),
            )
            for p in (ports if isinstance(ports, list) else ())
            if isinstance(p, dict)
        )
    )
    return (spec.get("clusterIP") == "None", str(spec.get("type") or "ClusterIP"), normalized)


class MultiClusterInconsistentService(Rule):
    """A Service is defined differently in the clusters of a multi-cluster mesh.

    ## What it does
    With several clusters given to meshlint (each cluster's manifests as a separate set
    of files), compares each Service defined in two or more clusters: headless or not,
    type, and ports (name, protocol, port, target port, app protocol; Kubernetes defaults
    filled in, node ports ignored). Reports once per Service, on its first cluster's
    definition (clusters in name order), naming the clusters and what differs.

    ## Why it matters
    Istio merges a Service of the same name and namespace across clusters into one
    service. When the definitions differ, which cluster's ports, protocols or
    headless-ness win is undefined, so requests can be routed with the wrong protocol or
    to ports that do not exist in some clusters.

    ## Example
    ```yaml
    # cluster: east
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports:  # <-
      - name: http
        port: 9080
    ---
    # cluster: west
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports:
      - name: grpc
        port: 9080
    ```

    ## Use instead
    ```yaml
    # cluster: east
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports:
      - name: http
        port: 9080
    ---
    # cluster: west
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      type: ClusterIP
      selector: {app: reviews}
      ports:
      - name: http
        port: 9080
        targetPort: 9080
        protocol: TCP
    ```
    """

    id = "ML962"
    name = "multicluster-inconsistent-service"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Service",)
    equivalents = Equivalents(istio="IST0170", analyzers=("multicluster.ServiceAnalyzer",))

    def check(self, mesh):
        by_name: dict[tuple[str, str], list] = {}
        for service in mesh.of_kind("Service"):
            if service.cluster:
                by_name.setdefault((service.namespace, service.name), []).append(service)
        for services in by_name.values():
            if len({s.cluster for s in services}) > 1:
                yield from self._compare(sorted(services, key=lambda s: s.cluster))

    def _compare(self, services):
        first, shapes = services[0], [shape(s) for s in services]
        reasons = [
            (reason, path)
            for i, (reason, path) in enumerate(ASPECTS)
            if len({s[i] for s in shapes}) > 1
        ]
        if not reasons or not first.linted:
            return
        differing = [s for s, sh in zip(services, shapes, strict=True) if sh != shapes[0]]
        clusters = ", ".join(s.cluster for s in services[:MAX_NAMED])
        if len(services) > MAX_NAMED:
            clusters += f" and {len(services) - MAX_NAMED} more"
        path = reasons[0][1]
        yield self.report(
            first,
            path,
            f"{first.ref} differs across clusters {clusters}: "
            + "; ".join(reason for reason, _ in reasons)
            + ". Istio merges it into one service, and which definition wins is undefined",
            key=True,
            related=[
                related_to(s, path, f"{s.ref} in cluster {s.cluster}")
                for s in differing[:MAX_NAMED]
            ],
        )
