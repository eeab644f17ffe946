"""Workloads: Pods and the pod templates of controllers, with label-selector matching.

Offline, a Deployment's pod template stands for the pods it will create, so selectors can
be checked against a repository of manifests without a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from meshlint.fieldpath import Path, get
from meshlint.mesh.memo import per_resource
from meshlint.model import Resource, string_map

TEMPLATE_PATHS: dict[str, Path] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
WORKLOAD_KINDS = tuple(TEMPLATE_PATHS)


@dataclass(slots=True, eq=False)
class Workload:
    """The pods one resource stands for: their namespace, labels and pod spec."""

    resource: Resource
    template_path: Path
    labels: dict[str, str]
    annotations: dict[str, str]
    pod_spec: dict
    namespace: str = field(init=False)

    def __post_init__(self) -> None:
        self.namespace = self.resource.namespace

    def containers(self, *, init: bool = False) -> list[dict]:
        items = self.pod_spec.get("initContainers" if init else "containers")
        return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []

    @property
    def has_proxy(self) -> bool:
        return any(c.get("name") == "istio-proxy" for c in self.containers())

    @property
    def proxy_only(self) -> bool:
        """Whether the proxy is the only container: a gateway, no application."""
        containers = self.containers()
        return bool(containers) and all(c.get("name") == "istio-proxy" for c in containers)


def workload_of(resource: Resource) -> Workload | None:
    """The workload a Pod or controller resource defines, if it is one (memoized: every
    mesh built around the resource shares it, callers must not modify it)."""
    if resource.kind not in TEMPLATE_PATHS:
        return None
    return _workload(resource)


@per_resource
def _workload(resource: Resource) -> Workload | None:
    template = get(resource.body, TEMPLATE_PATHS[resource.kind])
    if not isinstance(template, dict):
        return None
    metadata = template.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    spec = template.get("spec")
    return Workload(
        resource=resource,
        template_path=TEMPLATE_PATHS[resource.kind],
        labels=string_map(metadata.get("labels")),
        annotations=string_map(metadata.get("annotations")),
        pod_spec=spec if isinstance(spec, dict) else {},
    )


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Equality-based label selection; an empty selector selects everything."""
    return all(labels.get(k) == v for k, v in selector.items())


class WorkloadIndex:
    """Workloads by namespace and by label, for fast selector queries."""

    def __init__(self, workloads: Iterable[Workload]) -> None:
        self.all: list[Workload] = list(workloads)
        self._by_label: dict[tuple[str, str], list[Workload]] = {}
        self._by_namespace: dict[str, list[Workload]] = {}
        self._by_namespace_label: dict[tuple[str, str, str], list[Workload]] = {}
        for workload in self.all:
            namespace = workload.namespace
            self._by_namespace.setdefault(namespace, []).append(workload)
            for key, value in workload.labels.items():
                self._by_label.setdefault((key, value), []).append(workload)
                self._by_namespace_label.setdefault((namespace, key, value), []).append(workload)

    def _candidates(self, selector: Mapping[str, str], namespace: str | None) -> list[Workload]:
        """The shortest indexed list that must contain every match."""
        if not selector:
            return self.all if namespace is None else self._by_namespace.get(namespace, [])
        if namespace is None:
            lists = [self._by_label.get(item, []) for item in selector.items()]
        else:
            lists = [
                self._by_namespace_label.get((namespace, *item), []) for item in selector.items()
            ]
        return min(lists, key=len)

    def matching(self, selector: Mapping[str, str], namespace: str | None = None) -> list[Workload]:
        """Workloads the selector selects, in ``namespace`` or in every namespace if None."""
        candidates = self._candidates(selector, namespace)
        if len(selector) <= 1:
            return list(candidates)
        return [w for w in candidates if selects(selector, w.labels)]
