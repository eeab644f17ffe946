"""DestinationRule subsets and the workloads behind a host.

Istio matches subset labels against endpoint labels, which are the pod's labels plus the
locality labels of the node it runs on. Offline, a Pod's ``nodeName`` finds that Node
among the analyzed files, and a pod template's ``nodeSelector`` pins the locality its pods
will have.
"""

from __future__ import annotations

from meshlint.mesh.index import Mesh
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.workloads import Workload, selects
from meshlint.model import Resource, string_map

HOSTNAME_LABEL = "kubernetes.io/hostname"
TOPOLOGY_LABELS = (
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
)


def subset_labels(dr: Resource, name: str) -> dict[str, str] | None:
    """The labels of the DestinationRule's subset ``name`` (None: no such subset)."""
    subsets = dr.spec.get("subsets")
    for subset in subsets if isinstance(subsets, list) else []:
        if isinstance(subset, dict) and str(subset.get("name")) == name:
            return string_map(subset.get("labels"))
    return None


def endpoint_labels(workload: Workload, mesh: Mesh) -> dict[str, str]:
    """The labels Istio's registry gives the workload's endpoints: its own labels plus
    non-empty locality labels (from its Node, or from a template's nodeSelector)."""
    labels = dict(workload.labels)
    node_name = workload.pod_spec.get("nodeName")
    if isinstance(node_name, str) and node_name:
        node = mesh.get("", "Node", "", node_name, workload.resource.cluster)
        source = node.labels if node is not None else {}
        labels[HOSTNAME_LABEL] = node_name
    else:
        source = string_map(workload.pod_spec.get("nodeSelector"))
    for key in (*TOPOLOGY_LABELS, HOSTNAME_LABEL):
        if source.get(key):
            labels[key] = source[key]
    return labels


@per_mesh
def backing_workloads(mesh: Mesh, host: str, from_namespace: str) -> list[Workload] | None:
    """The workloads a (fully qualified) host sends traffic to: those its Services select
    in their namespace, or its ServiceEntries' ``workloadSelector`` selects. None when no
    Service or ServiceEntry of the host selects workloads by label (external hosts,
    Services with manual Endpoints, unknown hosts). Memoized: a shared list."""
    entries = mesh.resolve_host(host, from_namespace).targets
    selecting = [e for e in entries if e.selector]
    if not selecting:
        return None
    out: dict[int, Workload] = {}
    for entry in selecting:
        for workload in mesh.workloads.matching(entry.selector, entry.namespace):
            out[id(workload)] = workload
    return list(out.values())


def selected_by(labels: dict[str, str], workloads: list[Workload], mesh: Mesh) -> list[Workload]:
    """The workloads whose endpoint labels a subset's labels select."""
    return [w for w in workloads if selects(labels, endpoint_labels(w, mesh))]
